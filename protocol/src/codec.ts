import * as v from 'valibot';
import {
  MAX_MESSAGE_BYTES,
  notifications,
  requests,
  type ErrorCode,
  type NotificationData,
  type NotificationMethod,
  type ProtocolError,
  type RequestData,
  type RequestMethod,
  type RequestResult,
} from './messages';

/** The outcome of reading a message at an edge: a typed value or a typed error. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError; id: number | null };

/** A request whose envelope and parameters are valid; `method` narrows `data`. */
export type DecodedRequest = { [M in RequestMethod]: { id: number; method: M; data: RequestData<M> } }[RequestMethod];

/** A heartbeat; from the client it acknowledges every server message up to `ack`. */
export type DecodedPing = { ping: true; ack: number };

/** `seq` is absent only outside the session's sequence (the answer to `resume`). */
export type DecodedServerMessage =
  | { type: 'response'; seq?: number; id: number | null; ok: true; data: unknown }
  | { type: 'response'; seq?: number; id: number | null; ok: false; error: ProtocolError }
  | { [M in NotificationMethod]: { type: 'notification'; seq: number; method: M; data: NotificationData<M> } }[NotificationMethod]
  | { type: 'ping' }
  /** A notification of a newer server that this client does not know; it still counts in the sequence. */
  | { type: 'ignored'; seq: number };

const counter = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const ClientEnvelope = v.variant('type', [
  v.strictObject({
    type: v.literal('request'),
    id: counter,
    method: v.pipe(v.string(), v.maxLength(64)),
    data: v.optional(v.unknown()),
  }),
  v.strictObject({ type: v.literal('ping'), ack: counter }),
]);

const ServerEnvelope = v.variant('type', [
  v.object({
    type: v.literal('response'),
    seq: v.optional(counter),
    id: v.nullable(v.number()),
    ok: v.boolean(),
    data: v.optional(v.unknown()),
    error: v.optional(v.unknown()),
  }),
  v.object({ type: v.literal('notification'), seq: counter, method: v.string(), data: v.unknown() }),
  v.object({ type: v.literal('ping') }),
]);

const ErrorShape = v.object({ code: v.string(), message: v.string() });

function failure(code: ErrorCode, message: string, id: number | null = null): Decoded<never> {
  return { ok: false, error: { code, message }, id };
}

/** One line naming where a value broke its schema, without echoing the value. */
export function describeIssues(issues: ReadonlyArray<v.BaseIssue<unknown>>): string {
  const [first] = issues;
  const path = v.getDotPath(first);
  return path ? `${path}: ${first.message}` : first.message;
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Reads one client → server message; every failure names a protocol error code. */
export function decodeClientMessage(raw: string, byteLength: number): Decoded<DecodedRequest | DecodedPing> {
  if (byteLength > MAX_MESSAGE_BYTES) {
    return failure('message-too-large', `messages are limited to ${MAX_MESSAGE_BYTES} bytes`);
  }
  const json = parseJson(raw);
  if (!json.ok) return failure('bad-request', 'message is not JSON');
  const envelope = v.safeParse(ClientEnvelope, json.value);
  if (!envelope.success) return failure('bad-request', describeIssues(envelope.issues), requestIdOf(json.value));
  if (envelope.output.type === 'ping') return { ok: true, value: { ping: true, ack: envelope.output.ack } };
  const { id, method, data } = envelope.output;
  if (!Object.hasOwn(requests, method)) return failure('bad-request', `unknown method "${method.slice(0, 64)}"`, id);
  const params = v.safeParse(requests[method as RequestMethod].data, data ?? {});
  if (!params.success) return failure('bad-request', `${method}: ${describeIssues(params.issues)}`, id);
  return { ok: true, value: { id, method, data: params.output } as DecodedRequest };
}

/** A request id worth answering to, even when the rest of the envelope is wrong. */
function requestIdOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/** Reads one server → client message; unknown notifications are the caller's to ignore. */
export function decodeServerMessage(raw: string): Decoded<DecodedServerMessage> {
  const json = parseJson(raw);
  if (!json.ok) return failure('bad-request', 'message is not JSON');
  const envelope = v.safeParse(ServerEnvelope, json.value);
  if (!envelope.success) return failure('bad-request', describeIssues(envelope.issues));
  const message = envelope.output;
  if (message.type === 'ping') return { ok: true, value: { type: 'ping' } };
  if (message.type === 'response') {
    const { seq, id } = message;
    if (message.ok) return { ok: true, value: { type: 'response', seq, id, ok: true, data: message.data } };
    const error = v.safeParse(ErrorShape, message.error);
    if (!error.success) return failure('bad-request', describeIssues(error.issues), id);
    return { ok: true, value: { type: 'response', seq, id, ok: false, error: error.output as ProtocolError } };
  }
  if (!Object.hasOwn(notifications, message.method)) return { ok: true, value: { type: 'ignored', seq: message.seq } };
  const method = message.method as NotificationMethod;
  const data = v.safeParse(notifications[method], message.data);
  if (!data.success) return failure('bad-request', `${method}: ${describeIssues(data.issues)}`);
  return { ok: true, value: { type: 'notification', seq: message.seq, method, data: data.output } as DecodedServerMessage };
}

/** Checks the answer to a request against that request's result schema. */
export function decodeResult<M extends RequestMethod>(method: M, data: unknown): Decoded<RequestResult<M>> {
  const result = v.safeParse(requests[method].result, data ?? {});
  if (!result.success) return failure('bad-request', `${method} result: ${describeIssues(result.issues)}`);
  return { ok: true, value: result.output as RequestResult<M> };
}

export function encodeRequest<M extends RequestMethod>(id: number, method: M, data: RequestData<M>): string {
  return JSON.stringify({ type: 'request', id, method, data });
}

export function encodePing(ack?: number): string {
  return JSON.stringify(ack === undefined ? { type: 'ping' } : { type: 'ping', ack });
}

/** `seq` undefined: outside the session's sequence. */
export function encodeResult(id: number, data: unknown, seq?: number): string {
  return JSON.stringify({ type: 'response', seq, id, ok: true, data });
}

export function encodeError(id: number | null, error: ProtocolError, seq?: number): string {
  return JSON.stringify({ type: 'response', seq, id, ok: false, error });
}

export function encodeNotification<M extends NotificationMethod>(method: M, data: NotificationData<M>, seq: number): string {
  return JSON.stringify({ type: 'notification', seq, method, data });
}

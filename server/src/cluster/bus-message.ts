/**
 * What nodes tell each other about a socket relayed from the node it landed
 * on (the edge) to the home of its room. The edge keeps the socket, its rate
 * limits and heartbeat; the home runs the session. Frames pass unchanged.
 */
export type BusMessage =
  /** Edge → home: a socket relayed from `from`, its first frames, and the sequence number its messages continue after. */
  | { readonly t: 'open'; readonly relay: string; readonly from: string; readonly seq: number; readonly frames: readonly string[] }
  /** Edge → home: a frame from the client. */
  | { readonly t: 'in'; readonly relay: string; readonly text: string }
  /** Home → edge: a frame for the client. */
  | { readonly t: 'out'; readonly relay: string; readonly text: string }
  /** Edge → home: the client's socket is gone (`clean`: closed on purpose). */
  | { readonly t: 'lost'; readonly relay: string; readonly clean: boolean }
  /** Home → edge: close the client's socket (with `code`), or drop it without a handshake. */
  | { readonly t: 'drop'; readonly relay: string; readonly code?: number; readonly reason?: string }
  /** A request to another node's media (see NodePipes), answered by a `reply` with the same id. */
  | { readonly t: 'call'; readonly id: string; readonly from: string; readonly method: string; readonly data: unknown }
  | { readonly t: 'reply'; readonly id: string; readonly ok: boolean; readonly data?: unknown; readonly error?: string };

const isString = (value: unknown): value is string => typeof value === 'string';

/** A message from the bus, or undefined for anything that is not one (it is ignored). */
export function parseBusMessage(text: string): BusMessage | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (value['t'] === 'call')
    return isString(value['id']) && isString(value['from']) && isString(value['method']) ? (value as BusMessage) : undefined;
  if (value['t'] === 'reply') return isString(value['id']) && typeof value['ok'] === 'boolean' ? (value as BusMessage) : undefined;
  if (!isString(value['relay'])) return undefined;
  switch (value['t']) {
    case 'open':
      return isString(value['from']) && Number.isInteger(value['seq']) && Array.isArray(value['frames']) && value['frames'].every(isString)
        ? (value as BusMessage)
        : undefined;
    case 'in':
    case 'out':
      return isString(value['text']) ? (value as BusMessage) : undefined;
    case 'lost':
      return typeof value['clean'] === 'boolean' ? (value as BusMessage) : undefined;
    case 'drop':
      return value as BusMessage;
    default:
      return undefined;
  }
}

import { encodeError, encodeNotification, encodeResult, type NotificationData, type NotificationMethod } from '@raum/protocol';
import type { SocketLike } from '../signalling/signalling-channel';

type Sent = { id: number; method: string; data: any };
type Answer = (data: any) => unknown | Promise<unknown>;

/**
 * A scripted server on the far end of a fake WebSocket: answers requests
 * with the handlers a spec gives it, records them, and pushes notifications.
 */
export class FakeServer implements SocketLike {
  readyState = 1;
  readonly requests: Sent[] = [];
  private readonly listeners = new Map<string, Array<(event?: any) => void>>();
  private readonly answers = new Map<string, Answer>();

  answer(method: string, handler: Answer): this {
    this.answers.set(method, handler);
    return this;
  }

  fail(method: string, code: string, message = 'refused'): this {
    return this.answer(method, () => {
      throw Object.assign(new Error(message), { code });
    });
  }

  methods(): string[] {
    return this.requests.map((request) => request.method);
  }

  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    this.emit('message', { data: encodeNotification(method, data) });
  }

  /** The server goes away. */
  drop(): void {
    this.readyState = 3;
    this.emit('close');
  }

  send(raw: string): void {
    const request = JSON.parse(raw) as Sent;
    this.requests.push(request);
    const handler = this.answers.get(request.method) ?? (() => ({}));
    // Answers arrive asynchronously, as over a real socket.
    setTimeout(async () => {
      try {
        this.emit('message', { data: encodeResult(request.id, await handler(request.data)) });
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        this.emit('message', { data: encodeError(request.id, { code: (code ?? 'internal') as never, message }) });
      }
    });
  }

  close(): void {
    this.readyState = 3;
  }

  addEventListener(type: string, listener: (event?: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  private emit(type: string, event?: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

import {
  decodeResult,
  decodeServerMessage,
  encodeRequest,
  type ErrorCode,
  type NotificationData,
  type NotificationMethod,
  type RequestData,
  type RequestMethod,
  type RequestResult,
} from '@raum/protocol';

/** A request the server refused, or one that could not reach it. */
export class SignallingError extends Error {
  constructor(
    readonly code: ErrorCode | 'closed' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'SignallingError';
  }
}

type Handler<M extends NotificationMethod> = (data: NotificationData<M>) => void;

interface Pending {
  method: RequestMethod;
  resolve: (data: unknown) => void;
  reject: (error: SignallingError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The smallest socket surface the channel needs; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Typed requests and notifications over one WebSocket. Everything the server
 * sends is validated against the shared protocol before anyone sees it.
 */
export class SignallingChannel {
  readonly #pending = new Map<number, Pending>();
  readonly #handlers = new Map<NotificationMethod, Set<(data: never) => void>>();
  readonly #closedListeners = new Set<() => void>();
  readonly #opened: Promise<void>;
  #nextId = 1;
  #closed = false;

  constructor(private readonly socket: SocketLike) {
    this.#opened = new Promise((resolve, reject) => {
      if (socket.readyState === OPEN) resolve();
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new SignallingError('closed', 'cannot reach the server')));
    });
    // A rejection nobody awaited yet is not an error of its own.
    this.#opened.catch(() => undefined);
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => this.shutDown());
  }

  /** Opens the channel to this page's own origin. */
  static connect(origin = location.origin): SignallingChannel {
    const url = new URL('/ws', origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new SignallingChannel(new WebSocket(url.href));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<RequestResult<M>> {
    await this.#opened;
    if (this.#closed) throw new SignallingError('closed', 'the connection to the server is closed');
    const id = this.#nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignallingError('timeout', `${method}: no answer from the server`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      this.socket.send(encodeRequest(id, method, data));
    });
  }

  /** Listens to one notification; returns the function that stops listening. */
  on<M extends NotificationMethod>(method: M, handler: Handler<M>): () => void {
    let handlers = this.#handlers.get(method);
    if (!handlers) this.#handlers.set(method, (handlers = new Set()));
    handlers.add(handler as (data: never) => void);
    return () => handlers.delete(handler as (data: never) => void);
  }

  onClosed(listener: () => void): () => void {
    this.#closedListeners.add(listener);
    return () => this.#closedListeners.delete(listener);
  }

  close(): void {
    this.socket.close(1000);
    this.shutDown();
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    const decoded = decodeServerMessage(raw);
    // A message that breaks the protocol is dropped: the server is ours, so it is a bug, not input.
    if (!decoded.ok || decoded.value === null) return;
    const message = decoded.value;
    if (message.type === 'notification') {
      for (const handler of this.#handlers.get(message.method) ?? []) handler(message.data as never);
      return;
    }
    const pending = message.id === null ? undefined : this.#pending.get(message.id);
    if (!pending || message.id === null) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (!message.ok) {
      pending.reject(new SignallingError(message.error.code as ErrorCode, message.error.message));
      return;
    }
    const result = decodeResult(pending.method, message.data);
    if (result.ok) pending.resolve(result.value);
    else pending.reject(new SignallingError('bad-request', result.error.message));
  }

  private shutDown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new SignallingError('closed', 'the connection to the server closed'));
    }
    this.#pending.clear();
    for (const listener of this.#closedListeners) listener();
  }
}

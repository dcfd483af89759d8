import { encodePing, type NotificationMethod, type RequestData, type RequestMethod } from '@raum/protocol';
import { WebSocket } from 'ws';

type Message = {
  type: string;
  seq?: number;
  id?: number | null;
  ok?: boolean;
  method?: string;
  data?: any;
  error?: { code: string; message: string };
};

export interface ConnectOptions {
  /** The Origin header; by default the server's own, as a browser on its page sends it. */
  readonly origin?: string | null;
  /** The local address to connect from (any 127.x.y.z is this machine too). */
  readonly localAddress?: string;
  readonly headers?: Record<string, string>;
  /** Sends no heartbeat of its own (a client that went silent). */
  readonly silent?: boolean;
  /** Starts with this request id (a resuming client continues its own numbering). */
  readonly firstRequestId?: number;
}

/** Why a connection attempt failed: the HTTP status of a refused upgrade. */
export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

/**
 * A bare signalling client over a real WebSocket, for tests that speak the
 * protocol directly, malformed messages included. It acknowledges what it
 * receives with pings, as the real client does, unless told to be silent.
 */
export class TestClient {
  readonly received: Message[] = [];
  private readonly waiters: Array<{ match: (message: Message) => boolean; resolve: (message: Message) => void }> = [];
  private nextId: number;
  private lastSeq = 0;
  private readonly pinger: ReturnType<typeof setInterval> | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly socket: WebSocket,
    { silent = false, firstRequestId = 1 }: ConnectOptions,
  ) {
    this.nextId = firstRequestId;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.seq !== undefined) this.lastSeq = Math.max(this.lastSeq, message.seq);
      this.received.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    if (!silent) this.pinger = setInterval(() => this.ping(), 500);
    void this.closed.then(() => clearInterval(this.pinger));
  }

  static connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const origin = options.origin === undefined ? new URL(url.replace(/^ws/, 'http')).origin : options.origin;
    const socket = new WebSocket(url, {
      headers: { ...(origin === null ? {} : { Origin: origin }), ...options.headers },
      localAddress: options.localAddress,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket, options)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new RefusedError(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', (error) => reject(error));
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The highest sequence number received so far. */
  get seq(): number {
    return this.lastSeq;
  }

  /** The id the next request will have. */
  get requestId(): number {
    return this.nextId;
  }

  /** Sends a well-formed request and returns the whole response envelope. */
  request<M extends RequestMethod>(method: M, data: RequestData<M> | Record<string, unknown>): Promise<Message> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ type: 'request', id, method, data }));
    return this.next((message) => message.type === 'response' && message.id === id);
  }

  /** Sends a request and returns its data, failing on an error response. */
  async call<M extends RequestMethod>(method: M, data: RequestData<M> | Record<string, unknown>): Promise<any> {
    const response = await this.request(method, data);
    if (!response.ok) throw new Error(`${method} failed: ${response.error?.code} ${response.error?.message}`);
    return response.data;
  }

  /** Sends anything, as text or binary, and returns the next response. */
  sendRaw(payload: string | Uint8Array): Promise<Message> {
    const response = this.next((message) => message.type === 'response');
    this.socket.send(payload);
    return response;
  }

  /** Acknowledges everything received so far. */
  ping(): void {
    if (this.open) this.socket.send(encodePing(this.lastSeq));
  }

  notification(method: NotificationMethod, match: (data: any) => boolean = () => true, timeoutMs?: number): Promise<Message> {
    const seen = this.received.find((message) => message.method === method && match(message.data));
    if (seen) return Promise.resolve(seen);
    return this.next((message) => message.type === 'notification' && message.method === method && match(message.data), timeoutMs);
  }

  /** The consumer the server pushed to this client for a producer (`newConsumer`). */
  async pushed(producerId: string, timeoutMs?: number): Promise<any> {
    return (await this.notification('newConsumer', (data) => data.producerId === producerId, timeoutMs)).data;
  }

  close(): Promise<void> {
    clearInterval(this.pinger);
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.socket.close();
    return this.closed.then(() => undefined);
  }

  /** Vanishes without a closing handshake and without another word, as a phone that lost its network. */
  vanish(): void {
    clearInterval(this.pinger);
    this.socket.pause();
  }

  next(match: (message: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message in time')), timeoutMs);
      this.waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }
}

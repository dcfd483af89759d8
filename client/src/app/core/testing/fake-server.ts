import { encodeError, encodeNotification, encodePing, encodeResult, type NotificationData, type NotificationMethod } from '@raum/protocol';
import type { Reconnect, SocketLike } from '../signalling/signalling-channel';

type Sent = { id: number; method: string; data: any };
type Answer = (data: any) => unknown | Promise<unknown>;

/** Reconnect timings for specs: a lost socket is replaced within milliseconds, and given up within a second. */
export const QUICK_RECONNECT: Reconnect = { firstMs: 5, maxMs: 20, giveUpMs: 300, openTimeoutMs: 120, firstConnectMs: 400 };

const TOKEN = (n: number) => `token-${n}`.padEnd(43, 'x');

/**
 * A scripted server for one participant, on the far end of fake WebSockets:
 * answers requests with the handlers a spec gives it, records them, pushes
 * notifications, and keeps a resumable session as the real server does
 * (sequence numbers, replay after a resume, fresh tokens). Sockets can be
 * dropped, frozen (silent, as a dead network), or refused.
 */
export class FakeServer {
  readonly requests: Sent[] = [];
  readonly sockets: FakeSocket[] = [];
  /** New sockets never open (the server is unreachable). */
  unreachable = false;
  private readonly answers = new Map<string, Answer>();
  private session = newSession();
  private tokens = 0;

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

  /** Opens a new socket to this server (the channel's socket factory). */
  readonly open = (): SocketLike => {
    const socket = new FakeSocket(this);
    this.sockets.push(socket);
    if (!this.unreachable) setTimeout(() => socket.accept());
    return socket;
  };

  get socket(): FakeSocket | undefined {
    return this.sockets.at(-1);
  }

  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    this.push((seq) => encodeNotification(method, data, seq));
  }

  /** The current socket closes (the server went away, or the network reset the connection). */
  drop(): void {
    this.socket?.hangUp();
  }

  /** The current socket goes silent both ways without closing, as on a dead network. */
  freeze(): void {
    this.socket?.freeze();
  }

  /** The server restarts: it knows no session any more. */
  restart(): void {
    this.drop();
    this.session = newSession();
  }

  /** What the client acknowledged last in its pings. */
  get acknowledged(): number {
    return this.session.acknowledged;
  }

  receive(socket: FakeSocket, raw: string): void {
    const message = JSON.parse(raw) as { type: string; ack?: number } & Sent;
    if (message.type === 'ping') {
      // The server's own heartbeat, so that a live socket never looks silent.
      this.session.acknowledged = message.ack ?? 0;
      socket.deliver(encodePing());
      return;
    }
    if (message.method === 'resume') return this.resume(socket, message);
    this.requests.push(message);
    this.session.lastRequestId = Math.max(this.session.lastRequestId, message.id);
    const handler = this.answers.get(message.method) ?? (() => ({}));
    // One request at a time, in the order the socket brought them, as the real server handles them; answers arrive
    // asynchronously, as over a real socket.
    socket.queue = socket.queue.then(async () => {
      await new Promise((done) => setTimeout(done));
      try {
        let data = await handler(message.data);
        if (message.method === 'join') data = { ...(data as object), resumeToken: this.newToken() };
        this.push((seq) => encodeResult(message.id, data, seq));
      } catch (error) {
        const { code, message: text } = error as { code?: string; message: string };
        this.push((seq) => encodeError(message.id, { code: (code ?? 'internal') as never, message: text }, seq));
      }
    });
  }

  private resume(socket: FakeSocket, { id, data }: Sent): void {
    if (data.token !== this.session.token) {
      this.session = newSession();
      socket.deliver(encodeError(id, { code: 'resume-failed', message: 'that session is over' }));
      return;
    }
    this.session.socket = socket;
    socket.deliver(encodeResult(id, { resumeToken: this.newToken(), lastRequestId: this.session.lastRequestId }));
    for (const { seq, text } of this.session.sent) if (seq > data.lastSeq) socket.deliver(text);
  }

  private newToken(): string {
    this.session.token = TOKEN(++this.tokens);
    return this.session.token;
  }

  private push(encode: (seq: number) => string): void {
    const seq = ++this.session.seq;
    const text = encode(seq);
    this.session.sent.push({ seq, text });
    const socket = this.session.socket ?? this.socket;
    if (socket === this.socket) socket?.deliver(text);
  }
}

function newSession() {
  return {
    seq: 0,
    sent: [] as Array<{ seq: number; text: string }>,
    lastRequestId: 0,
    acknowledged: 0,
    token: undefined as string | undefined,
    socket: undefined as FakeSocket | undefined,
  };
}

/** One fake WebSocket between the channel and the fake server. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly closedWith: number[] = [];
  /** The requests that came over this socket, answered one after the other. */
  queue: Promise<void> = Promise.resolve();
  private frozen = false;
  private readonly listeners = new Map<string, Array<(event?: any) => void>>();

  constructor(private readonly server: FakeServer) {}

  accept(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.emit('open');
  }

  deliver(text: string): void {
    if (this.readyState === 1 && !this.frozen) this.emit('message', { data: text });
  }

  hangUp(): void {
    if (this.readyState > 1) return;
    this.readyState = 3;
    this.emit('close');
  }

  freeze(): void {
    this.frozen = true;
  }

  send(raw: string): void {
    if (this.readyState === 1 && !this.frozen) this.server.receive(this, raw);
  }

  close(code?: number): void {
    this.closedWith.push(code ?? 1005);
    this.readyState = 3;
  }

  addEventListener(type: string, listener: (event?: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  private emit(type: string, event?: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

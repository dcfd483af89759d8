import {
  CLOSE_CODES,
  decodeResult,
  decodeServerMessage,
  encodePing,
  encodeRequest,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  PROTOCOL_VERSION,
  type DecodedServerMessage,
  type ErrorCode,
  type NotificationData,
  type NotificationMethod,
  type RequestData,
  type RequestMethod,
  type RequestResult,
} from '@raum/protocol';
import { Listeners } from '../events';

/** A request the server refused, or one that could not reach it. */
export class SignallingError extends Error {
  constructor(
    /** 'closed': the server stays unreachable; 'session-lost': the session it belonged to is gone. */
    readonly code: ErrorCode | 'closed' | 'timeout' | 'session-lost',
    message: string,
  ) {
    super(message);
    this.name = 'SignallingError';
  }
}

/**
 * - connecting: opening a socket for a new session;
 * - open: requests go out now;
 * - reconnecting: the socket died, a new one is resuming the session;
 * - idle: no socket, no session (the next request opens one);
 * - closed: for good (closed by its owner, or the server stayed unreachable).
 */
export type ChannelState = 'connecting' | 'open' | 'reconnecting' | 'idle' | 'closed';

type NotificationEvents = { [M in NotificationMethod]: [data: NotificationData<M>] };

interface ChannelEvents extends Record<string, unknown[]> {
  state: [state: ChannelState];
  'session-lost': [code: ErrorCode];
}

interface Pending {
  readonly method: RequestMethod;
  readonly text: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: SignallingError) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** The smallest socket surface the channel needs; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface Reconnect {
  /** The first attempt waits up to this long (jitter only)... */
  readonly firstMs: number;
  /** ...later ones twice as long each time, up to this... */
  readonly maxMs: number;
  /** ...and the channel gives up (closed) after trying this long. */
  readonly giveUpMs: number;
  /** A new socket may take this long to open (a busy phone, a slow network). */
  readonly openTimeoutMs: number;
  /** Without a session, sockets that do not open are tried this long before the requests waiting for one fail. */
  readonly firstConnectMs: number;
}

const OPEN = 1;
const REQUEST_TIMEOUT_MS = 15_000;
const TICK_MS = 250;
const RECONNECT: Reconnect = { firstMs: 250, maxMs: 5000, giveUpMs: 120_000, openTimeoutMs: 10_000, firstConnectMs: 30_000 };

/**
 * Typed requests and notifications over a WebSocket that may die at any
 * time. Everything the server sends is validated against the shared
 * protocol before anyone sees it. Both sides ping; a socket that stays
 * silent past the timeout is given up. Once the session has a resume token,
 * a lost socket is replaced by a new one with backoff and jitter: the server
 * replays what this side missed (duplicates are dropped by sequence number)
 * and this side sends again what the server never got, so no request,
 * answer or notification is lost or seen twice.
 */
export class SignallingChannel {
  readonly #pending = new Map<number, Pending>();
  readonly #notifications = new Listeners<NotificationEvents>();
  readonly #events = new Listeners<ChannelEvents>();
  #state: ChannelState = 'idle';
  #socket: SocketLike | undefined;
  #nextId = 1;
  #lastSeq = 0;
  #resumeToken: string | undefined;
  #resumeRequestId: number | undefined;
  #heartbeat = { intervalMs: HEARTBEAT_INTERVAL_MS, timeoutMs: HEARTBEAT_TIMEOUT_MS };
  #lastReceived = 0;
  #lastPing = 0;
  #socketOpenedAt = 0;
  #lastTick = 0;
  #tickMs = TICK_MS;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #lostAt: number | undefined;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly openSocket: () => SocketLike,
    private readonly reconnect: Reconnect = RECONNECT,
    private readonly random: () => number = Math.random,
  ) {}

  /** A channel to this page's own origin. */
  static connect(origin = location.origin): SignallingChannel {
    const url = new URL('/ws', origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new SignallingChannel(() => new WebSocket(url.href));
  }

  get state(): ChannelState {
    return this.#state;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<RequestResult<M>> {
    if (this.#state === 'closed') return Promise.reject(new SignallingError('closed', 'the connection to the server is closed'));
    const id = this.#nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      this.#pending.set(id, { method, text: encodeRequest(id, method, data), resolve: resolve as (data: unknown) => void, reject });
      if (this.#state === 'open') this.transmit(id);
      else if (this.#state === 'idle') this.connect();
    });
  }

  /** Listens to one notification; returns the function that stops listening. */
  on<M extends NotificationMethod>(method: M, handler: (data: NotificationData<M>) => void): () => void {
    return this.#notifications.on(method, handler);
  }

  onState(listener: (state: ChannelState) => void): () => void {
    return this.#events.on('state', listener);
  }

  /** The server refused to resume (the grace period passed, it restarted): the session is gone. */
  onSessionLost(listener: (code: ErrorCode) => void): () => void {
    return this.#events.on('session-lost', listener);
  }

  /** From now on a lost socket is replaced and the session resumed; undefined: it is not (no session). */
  keepSession(resumeToken: string | undefined): void {
    this.#resumeToken = resumeToken;
  }

  /** The server's heartbeat, which this side follows too. */
  setHeartbeat(heartbeat: { intervalMs: number; timeoutMs: number }): void {
    this.#heartbeat = heartbeat;
    if (this.#ticker !== undefined) this.startTicking();
  }

  /** The network came back: try now rather than at the next backoff step. */
  retryNow(): void {
    if (this.#state !== 'reconnecting' || this.#socket) return;
    clearTimeout(this.#retry);
    this.connect();
  }

  /** Closes for good; pending requests fail. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#resumeToken = undefined;
    this.dropSocket(CLOSE_CODES.normal);
    clearTimeout(this.#retry);
    this.failPending(new SignallingError('closed', 'the connection to the server closed'));
    this.setState('closed');
  }

  private connect(): void {
    const socket = this.openSocket();
    this.#socket = socket;
    this.#socketOpenedAt = Date.now();
    this.setState(this.#resumeToken ? 'reconnecting' : 'connecting');
    const current = () => this.#socket === socket;
    socket.addEventListener('open', () => current() && this.opened());
    socket.addEventListener('message', (event) => current() && this.receive(event.data));
    socket.addEventListener('close', () => current() && this.lost());
    socket.addEventListener('error', () => current() && this.lost());
    this.startTicking();
  }

  private startTicking(): void {
    clearInterval(this.#ticker);
    this.#lastTick = Date.now();
    this.#tickMs = Math.min(TICK_MS, this.#heartbeat.intervalMs / 4);
    this.#ticker = setInterval(() => this.tick(), this.#tickMs);
  }

  private opened(): void {
    this.#lastReceived = this.#lastPing = Date.now();
    if (!this.#resumeToken) {
      this.#lostAt = undefined;
      this.#attempt = 0;
      this.setState('open');
      for (const id of this.#pending.keys()) this.transmit(id);
      return;
    }
    this.#resumeRequestId = this.#nextId++;
    this.send(
      encodeRequest(this.#resumeRequestId, 'resume', {
        token: this.#resumeToken,
        lastSeq: this.#lastSeq,
        protocolVersion: PROTOCOL_VERSION,
      }),
    );
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    this.#lastReceived = Date.now();
    const decoded = decodeServerMessage(raw);
    // A message that breaks the protocol is dropped: the server is ours, so it is a bug, not input.
    if (!decoded.ok) return;
    const message = decoded.value;
    if (message.type === 'ping') return;
    if (message.type === 'response' && message.id !== null && message.id === this.#resumeRequestId) return this.resumed(message);
    if ('seq' in message && message.seq !== undefined) {
      // Replayed after a resume, and seen already.
      if (message.seq <= this.#lastSeq) return;
      this.#lastSeq = message.seq;
    }
    if (message.type === 'notification') {
      this.#notifications.emit(message.method, message.data as never);
    } else if (message.type === 'response') {
      this.answered(message);
    }
  }

  private answered(message: Extract<DecodedServerMessage, { type: 'response' }>): void {
    const pending = message.id === null ? undefined : this.#pending.get(message.id);
    if (!pending || message.id === null) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (!message.ok) {
      pending.reject(new SignallingError(message.error.code, message.error.message));
      return;
    }
    const result = decodeResult(pending.method, message.data);
    if (result.ok) pending.resolve(result.value);
    else pending.reject(new SignallingError('bad-request', result.error.message));
  }

  /** The answer to `resume`: on success the replay follows; what the server never got is sent again. */
  private resumed(message: Extract<DecodedServerMessage, { type: 'response' }>): void {
    this.#resumeRequestId = undefined;
    const result = message.ok ? decodeResult('resume', message.data) : undefined;
    if (!result?.ok) {
      // This socket now holds a fresh session of its own; everything of the old one is gone.
      this.#resumeToken = undefined;
      this.#lastSeq = 0;
      this.#lostAt = undefined;
      this.#attempt = 0;
      this.failPending(new SignallingError('session-lost', 'the session ended; join again'));
      this.setState('open');
      const code = message.ok ? 'bad-request' : message.error.code;
      this.#events.emit('session-lost', code);
      return;
    }
    this.#resumeToken = result.value.resumeToken;
    this.#lostAt = undefined;
    this.#attempt = 0;
    this.setState('open');
    for (const id of this.#pending.keys()) {
      if (id > result.value.lastRequestId) this.transmit(id);
      else this.armTimeout(id);
    }
  }

  private transmit(id: number): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.send(pending.text);
    this.armTimeout(id);
  }

  private armTimeout(id: number): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      this.#pending.delete(id);
      pending.reject(new SignallingError('timeout', `${pending.method}: no answer from the server`));
    }, REQUEST_TIMEOUT_MS);
  }

  private send(text: string): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(text);
  }

  /**
   * Pings at the heartbeat's pace whatever else is sent (each ping also lets
   * the server drop what this side has received); gives up a socket that
   * stays silent or does not open in time.
   */
  private tick(): void {
    const now = Date.now();
    const socket = this.#socket;
    if (!socket) return;
    const { intervalMs, timeoutMs } = this.#heartbeat;
    // This page itself stood still (a background tab, a busy phone): the silence, or the wait for a socket, was ours.
    if (now - this.#lastTick > this.#tickMs + timeoutMs / 2) this.#lastReceived = this.#socketOpenedAt = now;
    this.#lastTick = now;
    if (socket.readyState !== OPEN) {
      if (now - this.#socketOpenedAt > this.reconnect.openTimeoutMs) this.lost();
      return;
    }
    if (now - this.#lastReceived > timeoutMs) return this.lost();
    if (now - this.#lastPing >= intervalMs && this.#resumeRequestId === undefined) {
      this.send(encodePing(this.#lastSeq));
      this.#lastPing = now;
    }
  }

  /**
   * The socket died (or was given up): resume on a new one if there is a
   * session. Without one, a socket that never opened carried nothing, so
   * the requests waiting for it wait for the next; once a socket was open,
   * they fail (they may have reached the server) and the next request opens one.
   */
  private lost(): void {
    const neverOpened = this.#state === 'connecting';
    this.dropSocket(CLOSE_CODES.reconnecting);
    this.#resumeRequestId = undefined;
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    if (this.#resumeToken) {
      if (!this.retryLater(this.reconnect.giveUpMs)) return this.close();
      this.setState('reconnecting');
      return;
    }
    if (neverOpened && this.#pending.size > 0 && this.retryLater(this.reconnect.firstConnectMs)) return;
    this.#lostAt = undefined;
    this.#attempt = 0;
    this.#lastSeq = 0;
    this.failPending(new SignallingError('closed', 'the connection to the server closed'));
    this.setState('idle');
  }

  /** A new socket after a backoff step with jitter; false once the first loss is more than `limitMs` ago. */
  private retryLater(limitMs: number): boolean {
    const now = Date.now();
    this.#lostAt ??= now;
    if (now - this.#lostAt > limitMs) return false;
    const { firstMs, maxMs } = this.reconnect;
    const step = Math.min(maxMs, firstMs * 2 ** this.#attempt++);
    // Everyone dropped at once by a restart must not come back at once.
    const delay = step * (0.5 + this.random() / 2);
    this.#retry = setTimeout(() => this.connect(), delay);
    return true;
  }

  private dropSocket(code: number): void {
    const socket = this.#socket;
    this.#socket = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    if (socket && socket.readyState <= OPEN) socket.close(code);
  }

  private failPending(error: SignallingError): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  private setState(state: ChannelState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.emit('state', state);
  }
}

import { encodePing } from '@raum/protocol';
import type { WebSocket } from 'ws';
import { TokenBucket } from './rate-limits';

/** Per socket: far above what a browser sends in a call (a join is about ten requests). */
const MESSAGES_PER_SECOND = 20;
const MESSAGE_BURST = 100;
/** Messages past the rate a socket may send before it is cut off as a flood. */
const OVERRUN_PER_SECOND = 1;
const OVERRUN_BURST = 100;

export interface ConnectionLimits {
  readonly heartbeatIntervalMs: number;
  readonly clientSilenceMs: number;
  readonly sendBufferBytes: number;
}

/** What a session speaks through: a WebSocket of this node, or one relayed from the node it landed on. */
export interface SessionSocket {
  readonly closed: boolean;
  /** The node the socket is on, when it is another node than this one. */
  readonly edge?: string;
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Drops the socket without a closing handshake (its client may be gone). */
  terminate(): void;
}

/**
 * One WebSocket: when it last heard from and spoke to its client, how fast
 * the client may send, and sending with backpressure. A socket whose unsent
 * data stays above the bound is cut off rather than buffered without end.
 */
export class Connection implements SessionSocket {
  readonly #messages = new TokenBucket(MESSAGES_PER_SECOND, MESSAGE_BURST);
  readonly #overrun = new TokenBucket(OVERRUN_PER_SECOND, OVERRUN_BURST);
  #lastReceived: number;
  #lastSent: number;
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: ConnectionLimits,
    /** Called once when this connection broke a rule and was cut off. */
    private readonly violated: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.#lastReceived = this.#lastSent = now();
  }

  get closed(): boolean {
    return this.#closed || this.socket.readyState !== this.socket.OPEN;
  }

  /**
   * Called for every incoming frame, before anything is parsed: 'ok',
   * 'limited' (answer with rate-limited), or 'cut' for a flood.
   */
  admit(): 'ok' | 'limited' | 'cut' {
    this.#lastReceived = this.now();
    if (this.#messages.take()) return 'ok';
    if (this.#overrun.take()) return 'limited';
    this.cutOff();
    return 'cut';
  }

  send(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.limits.sendBufferBytes) {
      this.cutOff();
      return;
    }
    this.socket.send(text);
    this.#lastSent = this.now();
  }

  /** Pings a quiet client, and gives up a socket that has been silent too long. Returns false once it is given up. */
  heartbeat(): boolean {
    if (this.closed) return false;
    const now = this.now();
    if (now - this.#lastReceived > this.limits.clientSilenceMs) {
      this.terminate();
      return false;
    }
    if (now - this.#lastSent >= this.limits.heartbeatIntervalMs) this.send(encodePing());
    return true;
  }

  /** The server itself stood still: the client's silence meanwhile was not the client's. */
  excuseSilence(): void {
    this.#lastReceived = this.now();
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close(code, reason);
  }

  /** Drops the socket without a closing handshake (its client may be gone). */
  terminate(): void {
    this.#closed = true;
    this.socket.terminate();
  }

  private cutOff(): void {
    if (this.#closed) return;
    this.violated();
    this.terminate();
  }
}

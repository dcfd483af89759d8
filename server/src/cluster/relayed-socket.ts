import type { SessionSocket } from '../signalling/connection';
import type { ClusterService } from './cluster.service';

/**
 * On a room's home node: the socket of a participant that landed on another
 * node (`edge`). What the session sends goes there over the bus; the edge
 * keeps the real socket, its limits and its heartbeat.
 */
export class RelayedSocket implements SessionSocket {
  #closed = false;

  constructor(
    private readonly cluster: ClusterService,
    readonly edge: string,
    readonly relay: string,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  send(text: string): void {
    if (!this.#closed) this.cluster.send(this.edge, { t: 'out', relay: this.relay, text });
  }

  close(code: number, reason: string): void {
    this.drop({ code, reason });
  }

  terminate(): void {
    this.drop({});
  }

  /** The edge says the socket is gone (or the edge itself is). */
  lost(): void {
    this.#closed = true;
  }

  private drop(how: { code?: number; reason?: string }): void {
    if (this.#closed) return;
    this.#closed = true;
    this.cluster.send(this.edge, { t: 'drop', relay: this.relay, ...how });
  }
}

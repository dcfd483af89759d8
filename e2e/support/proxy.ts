import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of Raum, through which one test
 * participant reaches the server (page, assets and signalling). It can
 * freeze: its connections then go silent both ways without closing, as when
 * a phone changes networks, and new connections are held without reaching
 * the server until it thaws. Thawed, the network is back: what was frozen or
 * held is reset, as the far end (or the phone) resets a connection it no
 * longer knows, and new connections go through.
 */
export class FreezingProxy {
  readonly #connections = new Set<{ client: Socket; upstream: Socket }>();
  /** Everything ever opened, frozen and held ones included, to close at the end. */
  readonly #sockets = new Set<Socket>();
  /** Frozen and held sockets, reset when the network is back. */
  readonly #stranded = new Set<Socket>();
  #frozen = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number): Promise<FreezingProxy> {
    return new Promise((resolve) => {
      let proxy: FreezingProxy;
      const server = createServer((client) => proxy.accept(client, targetPort));
      server.listen(0, '127.0.0.1', () => {
        proxy = new FreezingProxy(server, (server.address() as { port: number }).port);
        resolve(proxy);
      });
    });
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every connection so far goes silent; new ones are held and go nowhere. */
  freeze(): void {
    this.#frozen = true;
    for (const { client, upstream } of this.#connections) {
      client.unpipe();
      upstream.unpipe();
      // Bytes still arriving are swallowed, never answered, never closed.
      client.removeAllListeners('data').on('data', () => undefined);
      upstream.removeAllListeners('data').on('data', () => undefined);
      upstream.removeAllListeners('close').on('close', () => undefined);
      this.#stranded.add(client).add(upstream);
    }
    this.#connections.clear();
  }

  /** New connections reach the server again; the frozen and held ones are reset. */
  thaw(): void {
    this.#frozen = false;
    for (const socket of this.#stranded) socket.resetAndDestroy();
    this.#stranded.clear();
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    client.on('error', () => undefined);
    this.#sockets.add(client);
    if (this.#frozen) return void this.#stranded.add(client);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    this.#sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    const pair = { client, upstream };
    this.#connections.add(pair);
    client.on('close', () => this.#connections.delete(pair));
  }
}

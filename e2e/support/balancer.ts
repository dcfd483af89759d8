import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP front on 127.0.0.1 for a cluster of Raum nodes, as nginx with a
 * preferred upstream and backups: each new connection goes to the first
 * node that accepts it. A node that died is skipped from then on, so a
 * browser behind it comes back on a survivor at the same address.
 */
export class Balancer {
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(ports: readonly number[]): Promise<Balancer> {
    return new Promise((resolve) => {
      let balancer: Balancer;
      const server = createServer((client) => balancer.accept(client, ports));
      server.listen(0, '127.0.0.1', () => {
        balancer = new Balancer(server, (server.address() as { port: number }).port);
        resolve(balancer);
      });
    });
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, ports: readonly number[]): void {
    this.track(client);
    client.pause();
    const attempt = (index: number) => {
      if (index >= ports.length) return void client.destroy();
      const upstream = createConnection(ports[index]!, '127.0.0.1');
      // Refused before it connected: that node is down, the next one is asked.
      upstream.once('error', () => attempt(index + 1));
      upstream.once('connect', () => {
        this.track(upstream);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.resume();
      });
    };
    attempt(0);
  }

  private track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }
}

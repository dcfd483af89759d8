import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { Admission } from './admission';

/**
 * Nest's ws adapter with Raum's admission at the HTTP upgrade (a refused
 * upgrade gets its HTTP status and never becomes a socket), and with
 * protocol faults of clients (invalid UTF-8, oversized frames) counted
 * instead of logged as server errors: ws closes such sockets itself.
 */
export class RaumWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly admission: Admission,
  ) {
    // The gateway decodes every message itself; the adapter's JSON routing is unused.
    super(app, { messageParser: () => undefined });
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    return super.create(port, {
      ...options,
      verifyClient: ({ req }: { req: IncomingMessage }, decide: (accept: boolean, status?: number, reason?: string) => void) => {
        const refusal = this.admission.check(req);
        if (refusal) decide(false, refusal.status, refusal.reason);
        else decide(true);
      },
    }) as WebSocketServer;
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket) => socket.on('error', () => this.admission.countProtocolError()));
    // The server's own errors (a listener failing) are faults; they still reach the log.
    server.on('error', (error) => this.logger.error(error));
    return server;
  }
}

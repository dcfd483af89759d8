import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { decodeRequest, encodeError, encodeNotification, encodeResult, MAX_MESSAGE_BYTES } from '@raum/protocol';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { RaumError } from '../common/errors';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import type { Notify } from '../rooms/peer';
import { RoomsService } from '../rooms/rooms.service';
import { TurnService } from '../turn/turn.service';
import { ClientRateLimits, TokenBucket } from './rate-limits';
import { Session } from './session';

/** How often a silent socket is probed; one missed pong and it is dropped. */
const HEARTBEAT_MS = 20_000;
/** Per connection: far above what a browser sends in a call (a join is about ten requests). */
const MESSAGES_PER_SECOND = 20;
const MESSAGE_BURST = 100;
/** Per client (salted address hash): new connections. */
const CONNECTIONS_PER_SECOND = 1;
const CONNECTION_BURST = 30;

/**
 * The signalling edge: one WebSocket per participant at /ws. Every incoming
 * message is decoded and validated here; anything malformed, oversized or out
 * of order is answered with a typed error and changes nothing.
 */
@WebSocketGateway({
  path: '/ws',
  // Frames past the protocol limit still get a typed answer; only absurd ones drop the socket.
  maxPayload: 16 * MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
})
export class SignallingGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket>, OnModuleDestroy {
  private readonly logger = new Logger('signalling');
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat = setInterval(() => this.probe(), HEARTBEAT_MS).unref();
  private readonly connectionLimits = new ClientRateLimits(CONNECTIONS_PER_SECOND, CONNECTION_BURST);

  constructor(
    private readonly rooms: RoomsService,
    private readonly media: MediaService,
    private readonly turn: TurnService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    if (!this.connectionLimits.allow(this.clientAddress(request))) {
      socket.close(1013, 'too many connections; try again later');
      return;
    }
    const notify: Notify = (method, data) => send(socket, encodeNotification(method, data));
    const session = new Session(this.rooms, this.media, notify, this.config.requireE2ee, this.turn);
    this.sessions.set(socket, session);
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
    const messages = new TokenBucket(MESSAGES_PER_SECOND, MESSAGE_BURST);
    socket.on('message', (data, isBinary) => void this.receive(socket, session, data, isBinary, messages.take()));
  }

  handleDisconnect(socket: WebSocket): void {
    this.sessions.get(socket)?.end();
    this.sessions.delete(socket);
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    for (const socket of this.sessions.keys()) socket.terminate();
  }

  /** The client's address, only ever used hashed for rate limits. */
  private clientAddress(request: IncomingMessage): string {
    const forwarded = this.config.trustProxy ? request.headers['x-real-ip'] : undefined;
    return (typeof forwarded === 'string' && forwarded) || request.socket.remoteAddress || '';
  }

  private async receive(socket: WebSocket, session: Session, data: RawData, isBinary: boolean, withinLimit: boolean): Promise<void> {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const decoded = isBinary
      ? ({ ok: false, id: null, error: { code: 'bad-request', message: 'binary messages are not part of the protocol' } } as const)
      : decodeRequest(bytes.toString('utf8'), bytes.length);
    if (!withinLimit) {
      send(socket, encodeError(decoded.ok ? decoded.value.id : decoded.id, { code: 'rate-limited', message: 'too many messages; slow down' }));
      return;
    }
    if (!decoded.ok) {
      send(socket, encodeError(decoded.id, decoded.error));
      return;
    }
    const { id, method } = decoded.value;
    try {
      send(socket, encodeResult(id, await session.handle(decoded.value)));
    } catch (error) {
      if (error instanceof RaumError) {
        send(socket, encodeError(id, error.toProtocol()));
        return;
      }
      this.logger.error(`${method} failed`, error instanceof Error ? error.stack : String(error));
      send(socket, encodeError(id, { code: 'internal', message: 'the server could not do that; try again' }));
    }
  }

  /** Drops sockets whose peer vanished without closing (so rooms do not keep ghosts). */
  private probe(): void {
    for (const socket of this.sessions.keys()) {
      if (!this.alive.has(socket)) {
        socket.terminate();
        continue;
      }
      this.alive.delete(socket);
      socket.ping();
    }
  }
}

function send(socket: WebSocket, message: string): void {
  if (socket.readyState === socket.OPEN) socket.send(message);
}

import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { decodeRequest, encodeError, encodeNotification, encodeResult, MAX_MESSAGE_BYTES } from '@raum/protocol';
import type { RawData, WebSocket } from 'ws';
import { RaumError } from '../common/errors';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import type { Notify } from '../rooms/peer';
import { RoomsService } from '../rooms/rooms.service';
import { Session } from './session';

/** How often a silent socket is probed; one missed pong and it is dropped. */
const HEARTBEAT_MS = 20_000;

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

  constructor(
    private readonly rooms: RoomsService,
    private readonly media: MediaService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  handleConnection(socket: WebSocket): void {
    const notify: Notify = (method, data) => send(socket, encodeNotification(method, data));
    const session = new Session(this.rooms, this.media, notify, this.config.requireE2ee);
    this.sessions.set(socket, session);
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
    socket.on('message', (data, isBinary) => void this.receive(socket, session, data, isBinary));
  }

  handleDisconnect(socket: WebSocket): void {
    this.sessions.get(socket)?.end();
    this.sessions.delete(socket);
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    for (const socket of this.sessions.keys()) socket.terminate();
  }

  private async receive(socket: WebSocket, session: Session, data: RawData, isBinary: boolean): Promise<void> {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const decoded = isBinary
      ? ({ ok: false, id: null, error: { code: 'bad-request', message: 'binary messages are not part of the protocol' } } as const)
      : decodeRequest(bytes.toString('utf8'), bytes.length);
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

import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import {
  CLOSE_CODES,
  decodeClientMessage,
  encodeError,
  encodeResult,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type DecodedRequest,
  type ProtocolError,
  type RequestMethod,
} from '@raum/protocol';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { UpgradeRequiredError } from '../common/errors';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { TurnService } from '../turn/turn.service';
import { Admission } from './admission';
import { Connection } from './connection';
import { Session, SESSION_EVENTS, type SessionContext, type SessionEvent } from './session';

/** How often sockets are looked at: pinged when quiet, dropped when silent too long or never joined. */
const TICK_MS = 250;
/** Faults reported per minute at most; a storm of them says no more than the first few. */
const FAULTS_PER_MINUTE = 10;

/** Close codes of a client that left on purpose (1005: a close frame without a code, as browsers send). */
const CLEAN_CLOSES = new Set<number>([CLOSE_CODES.normal, CLOSE_CODES.goingAway, 1005]);

interface Socket {
  readonly connection: Connection;
  session: Session;
  readonly release: () => void;
}

type ResumeRequest = Extract<DecodedRequest, { method: 'resume' }>;

/**
 * The signalling edge: one WebSocket per participant at /ws. Every incoming
 * message is rate limited before it is read, then decoded and validated;
 * anything malformed, oversized or out of order is answered with a typed
 * error and changes nothing. Sessions outlive their sockets: this is also
 * where a new socket resumes an old session.
 */
@WebSocketGateway({
  path: '/ws',
  // Frames past the protocol limit still get a typed answer; only absurd ones drop the socket.
  maxPayload: 16 * MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
})
export class SignallingGateway implements OnGatewayConnection<WebSocket>, OnModuleDestroy {
  private readonly logger = new Logger('signalling');
  private readonly sockets = new Map<WebSocket, Socket>();
  private readonly sessions = new Set<Session>();
  /** Resumable sessions by the SHA-256 of their token: the token itself is kept by its participant only. */
  private readonly resumable = new Map<string, Session>();
  private readonly tokens = new Map<Session, string>();
  private readonly ticker = setInterval(() => this.tick(), TICK_MS).unref();
  private readonly context: SessionContext;
  private faults = { minute: 0, count: 0 };
  private lastTick = Date.now();
  private readonly events = Object.fromEntries(SESSION_EVENTS.map((event) => [event, 0])) as Record<SessionEvent, number>;

  constructor(
    rooms: RoomsService,
    media: MediaService,
    turn: TurnService,
    private readonly admission: Admission,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {
    this.context = {
      rooms,
      media,
      turn,
      config,
      tokenChanged: (session, token) => this.tokenChanged(session, token),
      fault: (method, error) => this.fault(method, error),
      ended: (session) => this.sessions.delete(session),
      counted: (event) => this.events[event]++,
    };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get sessionEvents(): Readonly<Record<SessionEvent, number>> {
    return { ...this.events };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const release = this.admission.opened(request);
    const session = this.newSession();
    const connection = new Connection(socket, { ...this.config.timing, sendBufferBytes: this.config.limits.sendBufferBytes }, () =>
      this.sockets.get(socket)?.session.kick(),
    );
    session.attach(connection);
    this.sockets.set(socket, { connection, session, release });
    socket.on('message', (data, isBinary) => this.receive(socket, data, isBinary));
    socket.once('close', (code) => this.closed(socket, code));
  }

  /**
   * A clean close by the client means it is gone (a closed tab, a finished
   * call); anything else (a dead network, a silent socket given up, a
   * client that is reconnecting) keeps the session for a resume.
   */
  private closed(socket: WebSocket, code: number): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    this.sockets.delete(socket);
    entry.release();
    entry.session.connectionLost(entry.connection, CLEAN_CLOSES.has(code));
  }

  /**
   * For a restart: no new participants from now on; everyone is told, the
   * calls go on for up to RAUM_DRAIN_S (or until all have left), then every
   * socket is closed with 1001 so that clients come back by themselves.
   */
  async drain(): Promise<void> {
    const { drainMs } = this.config.timing;
    this.context.rooms.drain();
    for (const session of this.sessions) if (session.joined) session.notify('serverDraining', { closesInMs: drainMs });
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && this.context.rooms.peerCount > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const { connection } of this.sockets.values()) connection.close(CLOSE_CODES.goingAway, 'the server is restarting');
    for (const session of this.sessions) session.end();
  }

  onModuleDestroy(): void {
    clearInterval(this.ticker);
    for (const { connection } of this.sockets.values()) connection.terminate();
    for (const session of this.sessions) session.end();
  }

  private newSession(): Session {
    const session = new Session(this.context);
    this.sessions.add(session);
    return session;
  }

  private receive(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    const { connection } = entry;
    // The limit is taken before the message is even read: a flood costs the server nothing more.
    const admitted = connection.admit();
    if (admitted === 'cut') return;
    if (admitted === 'limited') {
      connection.send(encodeError(null, { code: 'rate-limited', message: 'too many messages; slow down' }));
      return;
    }
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const decoded = isBinary
      ? ({ ok: false, id: null, error: { code: 'bad-request', message: 'binary messages are not part of the protocol' } } as const)
      : decodeClientMessage(bytes.toString('utf8'), bytes.length);
    const { session } = entry;
    if (!decoded.ok) {
      if (decoded.id === null) connection.send(encodeError(null, decoded.error));
      else session.refuse(decoded.id, decoded.error);
      return;
    }
    const message = decoded.value;
    if ('ping' in message) session.outbox.acknowledge(message.ack);
    else if (message.method === 'resume') this.resume(entry, message);
    else session.receive(message);
  }

  /**
   * Continues a session on this socket: answers (outside the sequence) with
   * a new token and the last request id it got, then replays what the client
   * has not seen. The socket's own fresh session is dropped.
   */
  private resume(entry: Socket, { id, data: { token, lastSeq, protocolVersion } }: ResumeRequest): void {
    const answer = (error: ProtocolError) => entry.connection.send(encodeError(id, error));
    if (protocolVersion !== PROTOCOL_VERSION) {
      return answer(new UpgradeRequiredError().toProtocol());
    }
    if (entry.session.joined) return answer({ code: 'invalid-state', message: 'this connection is in a meeting already' });
    const session = this.resumable.get(hashOf(token));
    if (!session || session.ended || !session.outbox.canContinueFrom(lastSeq)) {
      this.events.failedResumes++;
      session?.end();
      return answer({ code: 'resume-failed', message: 'that session is over; join again' });
    }
    const fresh = entry.session;
    this.events.resumes++;
    entry.connection.send(encodeResult(id, { resumeToken: session.renewToken(), lastRequestId: session.lastRequestId }));
    // From here on this socket speaks for the resumed session (a rule broken during the replay ends that one).
    entry.session = session;
    session.attach(entry.connection, lastSeq);
    fresh.end();
  }

  private tokenChanged(session: Session, token: string | undefined): void {
    const previous = this.tokens.get(session);
    if (previous) this.resumable.delete(previous);
    if (token === undefined) {
      this.tokens.delete(session);
      return;
    }
    const hash = hashOf(token);
    this.tokens.set(session, hash);
    this.resumable.set(hash, session);
  }

  private tick(): void {
    const now = Date.now();
    // Timers run before pending socket reads: after a stall of the server's own, silence is not the clients'.
    const stalled = now - this.lastTick > TICK_MS + this.config.timing.clientSilenceMs / 2;
    this.lastTick = now;
    for (const { connection, session } of this.sockets.values()) {
      if (stalled) connection.excuseSilence();
      const open = !connection.closed;
      if (!connection.heartbeat()) {
        if (open) this.events.silentSockets++;
        continue;
      }
      const idleSince = session.idleSince;
      if (idleSince !== undefined && now - idleSince > this.config.timing.joinTimeoutMs)
        connection.close(CLOSE_CODES.idle, 'join a room or close the connection');
    }
  }

  /** One line per fault, without ids or personal data; a storm is summed up, not repeated. */
  private fault(method: RequestMethod, error: unknown): void {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.faults.minute) this.faults = { minute, count: 0 };
    if (++this.faults.count > FAULTS_PER_MINUTE) return;
    const name = error instanceof Error ? error.name : typeof error;
    const frames =
      error instanceof Error
        ? (error.stack ?? '')
            .split('\n')
            .filter((line) => line.startsWith('    at '))
            .slice(0, 4)
        : [];
    const more = this.faults.count === FAULTS_PER_MINUTE ? ' (further faults this minute are not reported)' : '';
    this.logger.error(`${method} failed with ${name}${more}`, frames.join('\n'));
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

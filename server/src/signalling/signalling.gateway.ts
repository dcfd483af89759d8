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
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { BusMessage } from '../cluster/bus-message';
import { ClusterService } from '../cluster/cluster.service';
import { RelayedSocket } from '../cluster/relayed-socket';
import { UpgradeRequiredError } from '../common/errors';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { TurnService } from '../turn/turn.service';
import { Admission } from './admission';
import { Connection, type SessionSocket } from './connection';
import { Session, SESSION_EVENTS, type SessionContext, type SessionEvent } from './session';

/** How often sockets are looked at: pinged when quiet, dropped when silent too long or never joined. */
const TICK_MS = 250;
/** Faults reported per minute at most; a storm of them says no more than the first few. */
const FAULTS_PER_MINUTE = 10;

/** Close codes of a client that left on purpose (1005: a close frame without a code, as browsers send). */
const CLEAN_CLOSES = new Set<number>([CLOSE_CODES.normal, CLOSE_CODES.goingAway, 1005]);

interface Socket<S extends SessionSocket = SessionSocket> {
  readonly connection: S;
  session: Session;
  readonly release: () => void;
  /** Its first join or resume found the room's home: here, or `relay`. */
  routed: boolean;
  /** Frames held while the home of its room is looked up. */
  routing?: string[];
  /** Relayed to the room's home on another node. */
  relay?: { readonly node: string; readonly id: string; readonly unwatch: () => void };
}

type ResumeRequest = Extract<DecodedRequest, { method: 'resume' }>;
type JoinRequest = Extract<DecodedRequest, { method: 'join' }>;

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
  private readonly sockets = new Map<WebSocket, Socket<Connection>>();
  /** Cluster mode, by relay id: this node's sockets whose room is at home on another node... */
  private readonly edges = new Map<string, Socket<Connection>>();
  /** ...and sockets of other nodes whose room is at home here. */
  private readonly homes = new Map<string, Socket<RelayedSocket>>();
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
    private readonly cluster: ClusterService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {
    this.context = {
      rooms,
      media,
      turn,
      config,
      newToken: () => cluster.newResumeToken(),
      tokenChanged: (session, token) => this.tokenChanged(session, token),
      fault: (method, error) => this.fault(method, error),
      ended: (session) => this.sessions.delete(session),
      counted: (event) => this.events[event]++,
    };
    cluster.onMessage((message) => this.fromBus(message));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Cluster mode: sockets here whose room is at home on another node, and sockets of other nodes served here. */
  get relayed(): { readonly out: number; readonly in: number } {
    return { out: this.edges.size, in: this.homes.size };
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
    this.sockets.set(socket, { connection, session, release, routed: !this.cluster.enabled });
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
    if (entry.relay) {
      entry.relay.unwatch();
      this.edges.delete(entry.relay.id);
      this.cluster.send(entry.relay.node, { t: 'lost', relay: entry.relay.id, clean: CLEAN_CLOSES.has(code) });
    } else entry.session.connectionLost(entry.connection, CLEAN_CLOSES.has(code));
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
    for (const { connection } of this.homes.values()) connection.terminate();
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
    if (isBinary) {
      connection.send(encodeError(null, { code: 'bad-request', message: 'binary messages are not part of the protocol' }));
      return;
    }
    const text = bytes.toString('utf8');
    if (entry.relay) this.cluster.send(entry.relay.node, { t: 'in', relay: entry.relay.id, text });
    else if (entry.routing) entry.routing.push(text);
    else this.handle(entry, text, bytes.length);
  }

  /** A frame of a socket served here (this node's own, or relayed from the node it landed on). */
  private handle(entry: Socket, text: string, size = Buffer.byteLength(text)): void {
    const { connection, session } = entry;
    const decoded = decodeClientMessage(text, size);
    if (!decoded.ok) {
      if (decoded.id === null) connection.send(encodeError(null, decoded.error));
      else session.refuse(decoded.id, decoded.error);
      return;
    }
    const message = decoded.value;
    if ('ping' in message) session.outbox.acknowledge(message.ack);
    else if (!entry.routed && (message.method === 'join' || message.method === 'resume')) this.route(entry, text, message);
    else if (message.method === 'resume') this.resume(entry, message);
    else session.receive(message);
  }

  /**
   * Cluster mode, a socket's first join or resume: it is served where its
   * room's home is (or where its session is). Until that is known, what the
   * client sends is held, in order.
   */
  private route(entry: Socket, text: string, message: JoinRequest | ResumeRequest): void {
    entry.routing = [text];
    const home = message.method === 'join' ? this.cluster.homeOf(message.data.roomId) : this.nodeOfSession(message.data.token);
    home.then(
      (node) => this.routeTo(entry, node),
      // Redis is out of reach: a join waits for it (a meeting split over nodes would be worse); a resume is tried here.
      () => {
        if (message.method === 'join') {
          entry.routing = undefined;
          entry.session.refuse(message.id, {
            code: 'server-busy',
            message: 'the meeting cannot be reached just now; try again in a moment',
          });
        } else this.routeTo(entry, this.cluster.nodeId);
      },
    );
  }

  /** Where the session of a resume token is: the node the token names while it is alive (else here, where the resume fails). */
  private async nodeOfSession(token: string): Promise<string> {
    const node = this.cluster.nodeOfToken(token);
    return (await this.cluster.alive(node)) ? node : this.cluster.nodeId;
  }

  private routeTo(entry: Socket, node: string): void {
    const frames = entry.routing ?? [];
    entry.routing = undefined;
    if (entry.connection.closed) return;
    entry.routed = true;
    if (node === this.cluster.nodeId) {
      for (const frame of frames) this.handle(entry, frame);
      return;
    }
    const id = randomBytes(16).toString('base64url');
    entry.relay = { node, id, unwatch: this.cluster.watch(node, () => entry.connection.terminate()) };
    this.edges.set(id, entry as Socket<Connection>);
    this.cluster.send(node, { t: 'open', relay: id, from: this.cluster.nodeId, seq: entry.session.outbox.seq, frames });
    // The home takes over the session's numbering; this one had only answered what needs no room.
    entry.session.end();
  }

  private fromBus(message: BusMessage): void {
    switch (message.t) {
      case 'open': {
        const connection = new RelayedSocket(this.cluster, message.from, message.relay);
        const session = this.newSession();
        session.outbox.continueAfter(message.seq);
        session.attach(connection);
        const release = this.cluster.watch(message.from, () => this.relayLost(message.relay, false));
        const entry: Socket<RelayedSocket> = { connection, session, release, routed: true };
        this.homes.set(message.relay, entry);
        for (const frame of message.frames) this.handle(entry, frame);
        return;
      }
      case 'in': {
        const entry = this.homes.get(message.relay);
        if (entry) this.handle(entry, message.text);
        return;
      }
      case 'lost':
        return this.relayLost(message.relay, message.clean);
      case 'out':
        return this.edges.get(message.relay)?.connection.send(message.text);
      case 'drop': {
        const connection = this.edges.get(message.relay)?.connection;
        if (message.code === undefined) connection?.terminate();
        else connection?.close(message.code, message.reason ?? '');
        return;
      }
    }
  }

  /** A relayed socket is gone, or the node it landed on is: as a socket of this node closing. */
  private relayLost(relay: string, clean: boolean): void {
    const entry = this.homes.get(relay);
    if (!entry) return;
    this.homes.delete(relay);
    entry.release();
    entry.connection.lost();
    entry.session.connectionLost(entry.connection, clean);
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
    for (const { connection, session, relay } of this.sockets.values()) {
      if (stalled) connection.excuseSilence();
      const open = !connection.closed;
      if (!connection.heartbeat()) {
        if (open) this.events.silentSockets++;
        continue;
      }
      // A relayed socket's session is on its home node, which knows whether it is in a room (below).
      if (!relay) this.closeIfIdle(connection, session, now);
    }
    for (const { connection, session } of this.homes.values()) this.closeIfIdle(connection, session, now);
  }

  /** A socket whose session has been outside a room for too long is closed (through its edge, when relayed). */
  private closeIfIdle(connection: SessionSocket, session: Session, now: number): void {
    const idleSince = session.idleSince;
    if (idleSince !== undefined && now - idleSince > this.config.timing.joinTimeoutMs)
      connection.close(CLOSE_CODES.idle, 'join a room or close the connection');
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

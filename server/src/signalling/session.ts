import { ortc, type types } from 'mediasoup';
import {
  encodeError,
  encodeNotification,
  encodeResult,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type DecodedRequest,
  type Joined,
  type NotificationData,
  type NotificationMethod,
  type ProtocolError,
  type RequestData,
  type RequestMethod,
  type RequestResult,
} from '@raum/protocol';
import { InvalidStateError, RaumError, UpgradeRequiredError } from '../common/errors';
import type { RaumConfig } from '../config/config';
import type { MediaService } from '../media/media.service';
import { isHostKeyOf } from '../rooms/host-link';
import type { Dismissal, Entered, Peer } from '../rooms/peer';
import type { Room } from '../rooms/room';
import type { RoomsService } from '../rooms/rooms.service';
import { TokenBucket } from './rate-limits';
import type { TurnService } from '../turn/turn.service';
import type { SessionSocket } from './connection';
import { hostRequests } from './host-requests';
import { mediaRequests } from './media-requests';
import { Outbox } from './outbox';

/** Chat is for people typing: a few lines a second at most. */
const CHAT_PER_SECOND = 2;
const CHAT_BURST = 10;
/** KeyPackages and commits: a few per join or leave. More would only fill the members' send buffers. */
const HANDSHAKE_PER_SECOND = 1;
const HANDSHAKE_BURST = 5;
/** TURN credentials are renewed when this share of their lifetime has passed. */
const TURN_RENEWAL_SHARE = 0.75;

/** Everything a session needs from the server around it. */
export interface SessionContext {
  readonly rooms: RoomsService;
  readonly media: MediaService;
  readonly turn: TurnService;
  readonly config: RaumConfig;
  /** A new resume token (it names this node, for a socket that lands on another). */
  readonly newToken: () => string;
  /** The session's resume token changed (a join, a resume) or is gone (undefined). */
  readonly tokenChanged: (session: Session, token: string | undefined) => void;
  /** A request failed for a reason that is not the client's: one line for the operator, without ids. */
  readonly fault: (method: RequestMethod, error: unknown) => void;
  readonly ended: (session: Session) => void;
  /** Counts what happened to a session, for /health. */
  readonly counted: (event: SessionEvent) => void;
}

/** What can end or save a session, counted since start: calls breaking show in /health without a log line per person. */
export const SESSION_EVENTS = ['silentSockets', 'resumes', 'failedResumes', 'expiredGraces', 'kicks'] as const;
export type SessionEvent = (typeof SESSION_EVENTS)[number];

/** The handler of each request; `resume` is answered by the gateway, never here. */
export type Handlers = { [M in Exclude<RequestMethod, 'resume'>]: (data: RequestData<M>) => Promise<RequestResult<M>> };

/** The room this session is in, and its peer there; `invalid-state` before joining. */
export interface Membership {
  readonly room: Room;
  readonly peer: Peer;
}

/**
 * One participant's signalling state, from the first socket to leaving: which
 * room it is in and what it may do next. It outlives its socket: when one
 * dies, the participant stays in the room (media flowing) for a grace period
 * and can resume the session on a new socket, where it gets every message it
 * missed. Requests are handled one at a time, in order, so a request never
 * sees another half done.
 */
export class Session {
  readonly outbox: Outbox;
  #connection: SessionSocket | undefined;
  #membership: Membership | undefined;
  /** In the room's lobby: not a member until a host lets them in. */
  #waiting: Membership | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #lastRequestId = 0;
  #ended = false;
  #joinedOrLeftAt = Date.now();
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #turnTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #chat = new TokenBucket(CHAT_PER_SECOND, CHAT_BURST);
  readonly #handshake = new TokenBucket(HANDSHAKE_PER_SECOND, HANDSHAKE_BURST);

  constructor(private readonly context: SessionContext) {
    this.outbox = new Outbox(context.config.limits.sendBufferBytes, () => this.kick());
  }

  get joined(): boolean {
    return this.#membership !== undefined;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get connection(): SessionSocket | undefined {
    return this.#connection;
  }

  /** The highest request id received, answered or not: a resuming client sends again only those after it. */
  get lastRequestId(): number {
    return this.#lastRequestId;
  }

  /** Since when this session has been outside a room (for closing sockets that never join). */
  get idleSince(): number | undefined {
    return this.#membership || this.#waiting ? undefined : this.#joinedOrLeftAt;
  }

  /**
   * Sends from now on through `connection`, after replaying everything after
   * `lastSeq`. A socket this session had before is dropped. False when the
   * session cannot continue from `lastSeq` (it changes nothing then).
   */
  attach(connection: SessionSocket, lastSeq?: number): boolean {
    if (this.#ended) return false;
    const previous = this.#connection;
    if (!this.outbox.attach((text) => connection.send(text), lastSeq)) return false;
    this.#connection = connection;
    clearTimeout(this.#graceTimer);
    if (previous && previous !== connection) previous.terminate();
    return true;
  }

  /**
   * Its socket is gone. Closed on purpose (`gone`), the session is over; lost,
   * a member waits for a resume during the grace period and anyone else is done.
   */
  connectionLost(connection: SessionSocket, gone = false): void {
    if (this.#connection !== connection || this.#ended) return;
    this.#connection = undefined;
    this.outbox.detach();
    const grace = this.context.config.timing.resumeGraceMs;
    if (gone || !this.#membership || grace === 0) {
      this.end();
      return;
    }
    this.#graceTimer = setTimeout(() => {
      this.context.counted('expiredGraces');
      this.end();
    }, grace).unref();
  }

  /** A fresh token for the next resume; the old one stops working. */
  renewToken(): string {
    const token = this.context.newToken();
    this.context.tokenChanged(this, token);
    return token;
  }

  /** Runs a valid request after the ones before it and queues its answer. */
  receive(request: DecodedRequest): void {
    const { id, method } = request;
    if (id <= this.#lastRequestId) {
      this.respond(id, { ok: false, error: { code: 'bad-request', message: 'request ids must increase' } });
      return;
    }
    this.#lastRequestId = id;
    const run = () => (this.handlers[method as keyof Handlers] as (data: unknown) => Promise<unknown>)(request.data);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    result.then(
      (data) => this.respond(id, { ok: true, data }),
      (error: unknown) => {
        if (error instanceof RaumError) return this.respond(id, { ok: false, error: error.toProtocol() });
        this.context.fault(method, error);
        this.respond(id, { ok: false, error: { code: 'internal', message: 'the server could not do that; try again' } });
      },
    );
  }

  /** An answer to a request that failed before reaching a handler (malformed data with a usable id). */
  refuse(id: number, error: ProtocolError): void {
    if (id > this.#lastRequestId) this.#lastRequestId = id;
    this.respond(id, { ok: false, error });
  }

  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    if (!this.#ended) this.outbox.push((seq) => encodeNotification(method, data, seq));
  }

  /** Leaves the room, releasing everything; the session is over and cannot be resumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#graceTimer);
    this.leave();
    this.#connection = undefined;
    this.outbox.detach();
    this.context.ended(this);
  }

  /** Broke a rule (flooding, not reading): the session ends and its socket is dropped. */
  kick(): void {
    if (!this.#ended) this.context.counted('kicks');
    const connection = this.#connection;
    this.end();
    connection?.terminate();
  }

  private respond(id: number, answer: { ok: true; data: unknown } | { ok: false; error: ProtocolError }): void {
    if (this.#ended) return;
    this.outbox.push((seq) => (answer.ok ? encodeResult(id, answer.data, seq) : encodeError(id, answer.error, seq)));
  }

  private leave(): void {
    const membership = this.#membership;
    const waiting = this.#waiting;
    this.#membership = this.#waiting = undefined;
    waiting?.room.withdraw(waiting.peer);
    this.#joinedOrLeftAt = Date.now();
    clearTimeout(this.#turnTimer);
    this.context.tokenChanged(this, undefined);
    membership?.room.remove(membership.peer);
  }

  /** In the room now: the answer to a join, or what `admitted` carries after the lobby. */
  private entered({ room, peer }: Membership, { others, group }: Entered): Joined {
    this.#membership = { room, peer };
    this.scheduleTurnRenewal();
    const { turn } = this.context;
    return {
      peerId: peer.id,
      peers: others,
      group,
      iceServers: turn.iceServers(),
      iceTransportPolicy: turn.iceTransportPolicy,
      resumeToken: this.renewToken(),
      locked: room.locked,
      lobby: room.lobby,
      knocks: peer.host ? room.knocks : [],
    };
  }

  /** A host let this participant in from the lobby. */
  private admitted(entry: Entered): void {
    const waiting = this.#waiting;
    if (!waiting || this.#ended) return;
    this.#waiting = undefined;
    this.notify('admitted', this.entered(waiting, entry));
  }

  private joinedRoom(): Membership {
    if (!this.#membership) throw new InvalidStateError('join a room first');
    return this.#membership;
  }

  private takeHandshake(): void {
    if (!this.#handshake.take()) throw new RaumError('rate-limited', 'too many KeyPackages and commits; wait a moment');
  }

  /**
   * The meeting ended for this participant (told already), or moved to another node: it is out of the room, and its
   * socket closes; after a move, as when the server goes away, so that the client comes back and joins again.
   */
  private dismiss(why: Dismissal): void {
    const connection = this.#connection;
    this.end();
    if (why === 'moved') connection?.close(CLOSE_CODES.goingAway, 'the meeting moved; join again');
    else connection?.close(CLOSE_CODES.normal, 'the meeting ended');
  }

  /** Fresh TURN credentials before the current ones expire, for as long as the session lasts. */
  private scheduleTurnRenewal(): void {
    const { turn } = this.context;
    if (!turn.expiringCredentials) return;
    this.#turnTimer = setTimeout(
      () => {
        this.notify('iceServers', { iceServers: turn.iceServers() });
        this.scheduleTurnRenewal();
      },
      this.context.config.turn.ttlSeconds * 1000 * TURN_RENEWAL_SHARE,
    ).unref();
  }

  private readonly handlers: Handlers = {
    capabilities: async ({ protocolVersion }) => {
      if (protocolVersion !== PROTOCOL_VERSION) {
        throw new UpgradeRequiredError();
      }
      const { heartbeatIntervalMs: intervalMs, heartbeatTimeoutMs: timeoutMs } = this.context.config.timing;
      return {
        protocolVersion: PROTOCOL_VERSION,
        routerRtpCapabilities: this.context.media.routerRtpCapabilities,
        requireE2ee: this.context.config.requireE2ee,
        heartbeat: { intervalMs, timeoutMs },
      };
    },

    join: async ({ roomId, rtpCapabilities, e2ee, requireE2ee, hostKey, linkProof }) => {
      if (this.#membership || this.#waiting) throw new InvalidStateError('already in a room; leave first');
      if (hostKey !== undefined && !isHostKeyOf(roomId, hostKey)) throw new RaumError('forbidden', 'that host link is not this meeting’s');
      const capabilities = structuredClone(rtpCapabilities) as types.RtpCapabilities;
      try {
        ortc.validateAndNormalizeRtpCapabilities(capabilities);
      } catch (error) {
        throw new RaumError('bad-request', `join: rtpCapabilities: ${(error as Error).message}`);
      }
      const host = hostKey !== undefined;
      const { room, peer, entered } = await this.context.rooms.join(roomId, { e2ee, requireE2ee, host, linkProof }, capabilities, {
        notify: (method, data) => this.notify(method, data),
        dismiss: (why) => this.dismiss(why),
        admitted: (entry) => this.admitted(entry),
        edge: () => this.#connection?.edge,
      });
      if (this.#ended) {
        room.remove(peer);
        room.withdraw(peer);
        throw new InvalidStateError('the connection closed while joining');
      }
      if (entered) return this.entered({ room, peer }, entered);
      this.#waiting = { room, peer };
      return { knockId: peer.id };
    },

    knock: async ({ name }) => {
      if (!this.#waiting) throw new InvalidStateError('only someone in the lobby knocks');
      this.#waiting.room.knock(this.#waiting.peer, name);
      return {};
    },

    ...mediaRequests(() => this.joinedRoom()),

    leave: async () => {
      if (!this.#waiting) this.joinedRoom();
      this.leave();
      return {};
    },

    publishKeyPackage: async ({ keyPackage }) => {
      const { room, peer } = this.joinedRoom();
      this.takeHandshake();
      room.publishKeyPackage(peer, keyPackage);
      return {};
    },

    commit: async ({ commit, welcome, added, removed }) => {
      const { room, peer } = this.joinedRoom();
      if (added.length > 0 && welcome === undefined) throw new RaumError('bad-request', 'commit: a commit that adds needs its Welcome');
      this.takeHandshake();
      const accepted = room.group.commit(peer.id, Buffer.from(commit, 'base64url'), added, removed);
      room.notifyPeers(accepted.recipients, 'commit', { from: peer.id, commit });
      if (welcome !== undefined) room.notifyPeers(accepted.welcomed, 'welcome', { welcome });
      for (const [from, keyPackage] of accepted.waiting) room.notifyPeers(accepted.welcomed, 'keyPackage', { from, keyPackage });
      return { epoch: accepted.epoch };
    },

    sendGroupMessage: async ({ payload }) => {
      const { room, peer } = this.joinedRoom();
      if (!this.#chat.take()) throw new RaumError('rate-limited', 'too many messages to the group; wait a moment');
      room.broadcast(peer, 'groupMessage', { from: peer.id, payload });
      return {};
    },

    ...hostRequests(() => this.joinedRoom()),
  };
}

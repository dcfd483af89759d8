import * as v from 'valibot';

/**
 * Raum's signalling protocol, written once for client and server: every
 * message is a JSON object on one WebSocket per participant.
 *
 *   client → server  { type: 'request', id, method, data }
 *                    { type: 'ping', ack }
 *   server → client  { type: 'response', seq, id, ok: true, data }
 *                    { type: 'response', seq, id, ok: false, error: { code, message } }
 *                    { type: 'notification', seq, method, data }
 *                    { type: 'ping' }
 *
 * A session outlives its socket. Request ids increase; every response and
 * notification carries the next `seq` of the session, and the client's pings
 * acknowledge the last `seq` it has. When a socket dies, the client resumes
 * the session on a new one: the server replays what the client has not
 * acknowledged, and the client sends again the requests the server never got.
 * Pings (and the answer to `resume`) are outside the sequence.
 *
 * Only the server's own answers and the room's participants travel here: no
 * addresses of other participants are ever part of a message (no P2P).
 */

export const PROTOCOL_VERSION = 9;

/** WebSocket close codes either side acts on. */
export const CLOSE_CODES = {
  /** A clean close by the client: it is gone for good (a tab closed, the call left). */
  normal: 1000,
  /** The server is going away (a restart): come back later. */
  goingAway: 1001,
  /** The client broke a rule (flooding, not reading): its session is over. */
  policy: 1008,
  /** Nothing joined in time. */
  idle: 4000,
  /** The client gave this socket up and will resume the session on a new one. */
  reconnecting: 4001,
} as const;

/** Heartbeat defaults: each side pings after this much silence of its own... */
export const HEARTBEAT_INTERVAL_MS = 2000;
/** ...and gives a socket up after hearing nothing for this long. */
export const HEARTBEAT_TIMEOUT_MS = 5000;

/** Largest message either side accepts, in bytes (UTF-8). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Unguessable room ids: 128 random bits as base64url are 22 characters. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/** Names travel only inside MLS application messages; the server never sees one. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const sequence = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const RoomId = v.pipe(v.string(), v.regex(ROOM_ID_PATTERN, 'room id must be 22–64 characters of A–Z a–z 0–9 _ -'));

/** Proof of a session, held only by the participant it was issued to. */
const ResumeToken = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'resume token must be 43 characters of base64url'));
/**
 * The host secret of a host link: 16 bytes, base64url. The room id of a
 * hosted meeting is a commitment to it (see `server/src/rooms/host-link.ts`),
 * so the server knows a host without remembering one.
 */
const HostKey = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/, 'host key must be 22 characters of base64url'));
/**
 * What a link's secret proves to the server, derived one way from it (16
 * bytes, base64url): it opens nothing end-to-end encrypted. Once a host made
 * a new link, only joins with the new link's proof get in.
 */
const LinkProof = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/, 'link proof must be 22 characters of base64url'));

export const MediaKind = v.picklist(['audio', 'video']);
export type MediaKind = v.InferOutput<typeof MediaKind>;

/** What a producer carries, so receivers can lay it out without guessing: a shared screen goes large. */
export const MediaSource = v.picklist(['camera', 'microphone', 'screen', 'screen-audio']);
export type MediaSource = v.InferOutput<typeof MediaSource>;

/** A simulcast layer index; cameras send three spatial layers. */
const SpatialLayer = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(2));

export const TransportDirection = v.picklist(['send', 'recv']);
export type TransportDirection = v.InferOutput<typeof TransportDirection>;

// WebRTC dictionaries are checked for shape here and in depth by mediasoup
// (server) and mediasoup-client (client), which know every codec rule.
const RtpCapabilities = v.looseObject({
  codecs: v.optional(v.pipe(v.array(v.looseObject({ kind: MediaKind, mimeType: v.string(), clockRate: v.number() })), v.maxLength(64))),
  headerExtensions: v.optional(v.pipe(v.array(v.looseObject({ uri: v.string() })), v.maxLength(64))),
});
const RtpParameters = v.looseObject({
  codecs: v.pipe(
    v.array(v.looseObject({ mimeType: v.string(), payloadType: v.number(), clockRate: v.number() })),
    v.minLength(1),
    v.maxLength(16),
  ),
  encodings: v.optional(v.pipe(v.array(v.looseObject({})), v.maxLength(8))),
  headerExtensions: v.optional(v.pipe(v.array(v.looseObject({ uri: v.string(), id: v.number() })), v.maxLength(32))),
  rtcp: v.optional(v.looseObject({})),
  mid: v.optional(v.string()),
});
const DtlsParameters = v.looseObject({
  role: v.optional(v.picklist(['auto', 'client', 'server'])),
  fingerprints: v.pipe(
    v.array(v.object({ algorithm: v.string(), value: v.pipe(v.string(), v.maxLength(256)) })),
    v.minLength(1),
    v.maxLength(8),
  ),
});
const IceParameters = v.looseObject({ usernameFragment: v.string(), password: v.string(), iceLite: v.optional(v.boolean()) });
const IceCandidate = v.looseObject({
  foundation: v.string(),
  priority: v.number(),
  address: v.string(),
  protocol: v.picklist(['udp', 'tcp']),
  port: v.number(),
  type: v.string(),
});

const ProducerInfo = v.object({ producerId: id, kind: MediaKind, source: MediaSource, paused: v.boolean() });
export type ProducerInfo = v.InferOutput<typeof ProducerInfo>;

/** A participant as the server knows it: no name (names travel end-to-end encrypted, among the members only). */
const PeerInfo = v.object({
  peerId: id,
  /** Whether this person's browser can encrypt media end to end (encoded transforms). */
  e2ee: v.boolean(),
  /** Joined with the meeting's host link. */
  host: v.boolean(),
  producers: v.array(ProducerInfo),
});
export type PeerInfo = v.InferOutput<typeof PeerInfo>;

const Empty = v.strictObject({});

const IceServer = v.object({
  urls: v.pipe(v.array(v.pipe(v.string(), v.regex(/^(stun|turns?):/))), v.minLength(1), v.maxLength(8)),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

const IceServers = v.pipe(v.array(IceServer), v.maxLength(8));

/** Ciphertext the server relays but cannot read, as base64url. */
export const MAX_PAYLOAD_LENGTH = 16 * 1024;
/** MLS handshake messages (KeyPackages, commits, Welcomes with the ratchet tree), as base64url: room for 100 members. */
export const MAX_MLS_PAYLOAD_LENGTH = 56 * 1024;
const opaque = (max: number) => v.pipe(v.string(), v.maxLength(max), v.regex(/^[A-Za-z0-9_-]*$/, 'payload must be base64url'));
const OpaquePayload = opaque(MAX_PAYLOAD_LENGTH);
const MlsPayload = opaque(MAX_MLS_PAYLOAD_LENGTH);
const PeerIds = v.pipe(v.array(id), v.maxLength(256));
/** A name in a knock, sealed with a key from the link's secret: the members read it, the server cannot. */
export const MAX_KNOCK_LENGTH = 512;
const KnockName = opaque(MAX_KNOCK_LENGTH);

/** Someone waiting in the lobby, as hosts see them: their sealed name, once they sent it. */
const Knock = v.object({ knockId: id, name: v.optional(KnockName) });
export type Knock = v.InferOutput<typeof Knock>;

/** What a participant gets on entering the room: at once from `join`, or from `admitted` after the lobby. */
const Joined = v.object({
  peerId: id,
  peers: v.array(PeerInfo),
  /** create: nobody holds the meeting's MLS group, start it; join: publish a KeyPackage and wait for a Welcome. */
  group: v.picklist(['create', 'join']),
  /** The operator's own STUN/TURN servers, with short-lived credentials; nothing else. */
  iceServers: IceServers,
  iceTransportPolicy: v.picklist(['all', 'relay']),
  /** Resumes this session on a new socket (see `resume`); keep it in memory only. */
  resumeToken: ResumeToken,
  /** A host locked the meeting: nobody new gets in (a host still does). */
  locked: v.boolean(),
  /** Newcomers wait in the lobby until a host admits them (hosts go straight in). */
  lobby: v.boolean(),
  /** Who is waiting in the lobby now; only hosts are told. */
  knocks: v.pipe(v.array(Knock), v.maxLength(256)),
});
export type Joined = v.InferOutput<typeof Joined>;
/** In the lobby: the peer id this person will have once admitted. Nothing of the room reaches them until then. */
const Waiting = v.object({ knockId: id });

/**
 * Every request: its parameters and its answer. Request schemas are strict
 * (unknown keys are a bad request); answers are the server's own.
 */
export const requests = {
  capabilities: {
    /** A client of another protocol version gets `upgrade-required` (older ones send no version). */
    data: v.strictObject({ protocolVersion: v.optional(v.number()) }),
    result: v.object({
      protocolVersion: v.number(),
      routerRtpCapabilities: RtpCapabilities,
      /** The operator refuses every browser that cannot encrypt end to end. */
      requireE2ee: v.boolean(),
      /** This server's heartbeat, which the client follows too. */
      heartbeat: v.object({ intervalMs: v.number(), timeoutMs: v.number() }),
    }),
  },
  join: {
    data: v.strictObject({
      roomId: RoomId,
      rtpCapabilities: RtpCapabilities,
      e2ee: v.boolean(),
      /** From the room link: this room refuses browsers that cannot encrypt end to end. */
      requireE2ee: v.optional(v.boolean()),
      /** From a host link: joins as host, or is refused with `forbidden` when it is not this room's. */
      hostKey: v.optional(HostKey),
      /** From the link's secret; refused with `link-withdrawn` once a host made a new link. */
      linkProof: v.optional(LinkProof),
    }),
    /** In the room, or (when a host switched the lobby on) waiting in it: then `admitted` or `knockRefused` follows. */
    result: v.union([Joined, Waiting]),
  },
  /** From the lobby: this person's name for the hosts, sealed (see `Knock`). Once per knock. */
  knock: { data: v.strictObject({ name: KnockName }), result: Empty },
  /**
   * The first request on a new socket after the old one died: continues the
   * session. Answered outside the sequence; then the server replays every
   * message after `lastSeq`, and the client sends again its requests after
   * `lastRequestId`.
   */
  resume: {
    data: v.strictObject({ token: ResumeToken, lastSeq: sequence, protocolVersion: v.number() }),
    result: v.object({ resumeToken: ResumeToken, lastRequestId: sequence }),
  },
  createTransport: {
    data: v.strictObject({ direction: TransportDirection }),
    result: v.object({
      transportId: id,
      iceParameters: IceParameters,
      iceCandidates: v.array(IceCandidate),
      dtlsParameters: DtlsParameters,
    }),
  },
  connectTransport: { data: v.strictObject({ transportId: id, dtlsParameters: DtlsParameters }), result: Empty },
  /** New ICE credentials for a transport whose connectivity broke (a new network, a NAT rebinding). */
  restartIce: { data: v.strictObject({ transportId: id }), result: v.object({ iceParameters: IceParameters }) },
  produce: {
    data: v.strictObject({
      transportId: id,
      kind: MediaKind,
      source: MediaSource,
      rtpParameters: RtpParameters,
      paused: v.optional(v.boolean()),
    }),
    result: v.object({ producerId: id }),
  },
  pauseProducer: { data: v.strictObject({ producerId: id }), result: Empty },
  resumeProducer: { data: v.strictObject({ producerId: id }), result: Empty },
  closeProducer: { data: v.strictObject({ producerId: id }), result: Empty },
  /** Starts a consumer the server pushed (`newConsumer`), once this side can decrypt it and shows it. */
  resumeConsumer: { data: v.strictObject({ consumerId: id }), result: Empty },
  /** This receiver does not show the stream now (its tile is scrolled away, or the page is hidden): the SFU stops sending it. */
  pauseConsumer: { data: v.strictObject({ consumerId: id }), result: Empty },
  /**
   * The simulcast layer that fits the tile it is shown in: 0 is the smallest.
   * The SFU sends the best layer up to this one that the network allows.
   */
  setPreferredLayers: {
    data: v.strictObject({ consumerId: id, spatialLayer: SpatialLayer }),
    result: Empty,
  },
  leave: { data: Empty, result: Empty },
  /** This participant's MLS KeyPackage, relayed to the group's members, who add it if it carries the link's proof. */
  publishKeyPackage: { data: v.strictObject({ keyPackage: MlsPayload }), result: Empty },
  /**
   * An MLS commit for the group's current epoch, with the Welcome for those
   * it adds. The first for an epoch wins; a later one gets `stale-epoch`.
   * `added` and `removed` only route it: the server cannot read the commit.
   */
  commit: {
    data: v.strictObject({ commit: MlsPayload, welcome: v.optional(MlsPayload), added: PeerIds, removed: PeerIds }),
    result: v.object({ epoch: v.number() }),
  },
  /** An MLS application message (chat, a name), relayed to all others without being read. */
  sendGroupMessage: { data: v.strictObject({ payload: OpaquePayload }), result: Empty },
  // Host controls: a participant who is not a host gets `forbidden`, and nothing changes.
  /** Pauses one person's microphone at the SFU; they are told, and may unmute themselves. */
  muteParticipant: { data: v.strictObject({ peerId: id }), result: Empty },
  /** Pauses everyone else's microphone. */
  muteEveryone: { data: Empty, result: Empty },
  /** Asks a muted person to unmute: only they can. */
  askToUnmute: { data: v.strictObject({ peerId: id }), result: Empty },
  /** Locks the meeting (nobody new gets in, but hosts) or unlocks it; everyone is told. */
  lockMeeting: { data: v.strictObject({ locked: v.boolean() }), result: Empty },
  /** Removes someone: they are told, their session ends, and the others' next commit removes them from the group. */
  removeParticipant: { data: v.strictObject({ peerId: id }), result: Empty },
  /** Makes someone a co-host for as long as they stay (a host link makes a host every time). */
  makeHost: { data: v.strictObject({ peerId: id }), result: Empty },
  /** Ends the meeting for everyone: the others are told and their sessions end. */
  endMeeting: { data: Empty, result: Empty },
  /** Switches the lobby on or off (off admits everyone waiting); everyone is told. */
  setLobby: { data: v.strictObject({ on: v.boolean() }), result: Empty },
  /** Lets someone in from the lobby: `room-full` leaves them waiting. */
  admitKnock: { data: v.strictObject({ knockId: id }), result: Empty },
  /** Turns someone in the lobby away: they are told, and their session ends. */
  denyKnock: { data: v.strictObject({ knockId: id }), result: Empty },
  /** A new link: from now on only joins with its proof get in (the new secret itself travels end-to-end encrypted). */
  renewLink: { data: v.strictObject({ linkProof: LinkProof }), result: Empty },
} as const;

export type RequestMethod = keyof typeof requests;
export type RequestData<M extends RequestMethod> = v.InferOutput<(typeof requests)[M]['data']>;
export type RequestResult<M extends RequestMethod> = v.InferOutput<(typeof requests)[M]['result']>;

/** What the server tells a participant without being asked. */
export const notifications = {
  peerJoined: v.object({ peer: PeerInfo }),
  peerLeft: v.object({ peerId: id }),
  producerAdded: v.object({ peerId: id, producer: ProducerInfo }),
  /**
   * A stream for this participant's receive transport, created paused: for
   * every other producer once the transport exists, and for each new one.
   * Nothing flows until the client resumes it.
   */
  newConsumer: v.object({
    consumerId: id,
    producerId: id,
    peerId: id,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    producerPaused: v.boolean(),
  }),
  /**
   * The largest simulcast layer of this participant's camera that anyone
   * shows (never below 1): encode up to it, and none above. A camera starts
   * in all its layers.
   */
  sendLayers: v.object({ producerId: id, spatialLayer: SpatialLayer }),
  producerClosed: v.object({ peerId: id, producerId: id }),
  producerPaused: v.object({ peerId: id, producerId: id }),
  producerResumed: v.object({ peerId: id, producerId: id }),
  /** A newcomer's KeyPackage, for the members to add. */
  keyPackage: v.object({ from: id, keyPackage: MlsPayload }),
  /** A commit the server accepted for the group's epoch. */
  commit: v.object({ from: id, commit: MlsPayload }),
  /** The Welcome of a commit that added this participant. */
  welcome: v.object({ welcome: MlsPayload }),
  /** Nobody holds the meeting's group any more: this participant starts a new one. */
  createGroup: Empty,
  groupMessage: v.object({ from: id, payload: OpaquePayload }),
  /** The SFU lost this room's media (a worker failed): make new transports and send again. The people stay. */
  mediaReset: Empty,
  /** The server is shutting down; the call goes on until then, and the client comes back by itself. */
  serverDraining: v.object({ closesInMs: v.number() }),
  /** Fresh TURN credentials, before the current ones expire. */
  iceServers: v.object({ iceServers: IceServers }),
  /** A host (`by`) paused this participant's microphone. */
  mutedByHost: v.object({ by: id }),
  /** A host (`by`) asks this participant to unmute. */
  unmuteAsked: v.object({ by: id }),
  /** Someone (perhaps this participant) became a co-host. */
  hostAdded: v.object({ peerId: id }),
  /** A host (`by`) ended the meeting for everyone: this session is over. */
  meetingEnded: v.object({ by: id }),
  /** A host (`by`) removed this participant: this session is over. */
  removedByHost: v.object({ by: id }),
  /** A host (`by`) locked or unlocked the meeting. */
  meetingLocked: v.object({ locked: v.boolean(), by: id }),
  /** A host (`by`) switched the lobby on or off. */
  lobbyChanged: v.object({ on: v.boolean(), by: id }),
  /** To hosts: someone knocked (with their sealed name). */
  knocked: Knock,
  /** To hosts: someone left the lobby (admitted, turned away, or gone). */
  knockEnded: v.object({ knockId: id }),
  /** To the one waiting: they are in. What follows is as after a `join` that got in at once. */
  admitted: Joined,
  /** To the one waiting: they will not get in, and why; this session is over. */
  knockRefused: v.object({ reason: v.picklist(['denied', 'meeting-locked', 'meeting-ended', 'room-full']) }),
} as const;

export type NotificationMethod = keyof typeof notifications;
export type NotificationData<M extends NotificationMethod> = v.InferOutput<(typeof notifications)[M]>;

/** Why a request failed; the code is the contract, the message is for people. */
export const ERROR_CODES = [
  'bad-request',
  'message-too-large',
  'invalid-state',
  'not-found',
  'room-full',
  'e2ee-required',
  'rate-limited',
  'limit-reached',
  'unsupported',
  /** The client speaks another protocol version: it must update itself. */
  'upgrade-required',
  /** The session to resume is gone (its grace period passed, or the server restarted): join again. */
  'resume-failed',
  /** The server is shutting down and takes no new participants. */
  'server-draining',
  /** The server holds as many rooms as its operator allows. */
  'server-busy',
  /** A commit for an epoch that another commit already ended: process that one and try again. */
  'stale-epoch',
  /** Only a host may do that, or the host link is not this meeting's. */
  'forbidden',
  /** A host locked the meeting: nobody new gets in. */
  'meeting-locked',
  /** A host made a new link for this meeting: this one no longer gets in. */
  'link-withdrawn',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ProtocolError = v.object({ code: v.picklist(ERROR_CODES), message: v.string() });
export type ProtocolError = v.InferOutput<typeof ProtocolError>;

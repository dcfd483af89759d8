import { Device, type types } from 'mediasoup-client';
import { PROTOCOL_VERSION, type Joined, type MediaSource, type NotificationData } from '@raum/protocol';
import { receiveFromDelivery } from '../e2ee/delivery';
import { toBase64Url } from '../e2ee/bytes';
import type { E2eeSession } from '../e2ee/e2ee-session';
import type { GroupContent, Reaction } from '../e2ee/group-content';
import { linkProof, openKnock, sealKnock } from '../e2ee/link-secret';
import { renewedSecret } from '../e2ee/room-secret';
import type { SignallingChannel } from '../signalling/signalling-channel';
import { Listeners } from '../events';
import {
  joinFailure,
  type CallEvents,
  type CallFailure,
  type JoinOptions,
  type Participant,
  type Prepared,
  type Reception,
} from './call-types';
import { HostControls } from './host-controls';
import { IceRepair } from './ice-repair';
import { waitInLobby } from './lobby';
import { applyReception } from './reception';
import { RemotePeers, type RemoteProducer } from './remote-peers';
import { Senders } from './senders';
import { TransportPair } from './transports';

/** How long a new stream waits for its sender's key before it starts anyway. */
const FIRST_KEY_WAIT_MS = 3000;

/**
 * One person's side of a call through the SFU: the mediasoup-client device,
 * one send and one receive transport, the local producers and a consumer per
 * remote stream. It repairs what a real network breaks: ICE is restarted when
 * connectivity goes or the network changes, and when the SFU loses the room's
 * media (a worker died) the transports are made anew with the same people and
 * keys. Knows nothing of Angular; the page observes it through its listeners.
 * close() releases everything, once, on every path.
 */
export class Call {
  readonly #peers = new RemotePeers();
  readonly #senders: Senders;
  readonly #listeners = new Listeners<CallEvents>();
  readonly #iceRepair = new IceRepair(async (transportId) => {
    const { iceParameters } = await this.signalling.request('restartIce', { transportId });
    return iceParameters as types.IceParameters;
  });
  #selfId = '';
  #roomId = '';
  readonly #stopListening: Array<() => void> = [];
  readonly #transports: TransportPair;
  #prepared: Promise<Prepared> | undefined;
  /** This person's keys (or the Welcome's way to them) and the transports, set up once joined. */
  #started: Promise<void> = Promise.resolve();
  #closed = false;
  #reconnecting = false;
  readonly host: HostControls;

  constructor(
    private readonly signalling: SignallingChannel,
    readonly e2ee: E2eeSession,
    private readonly device: Device = new Device(),
  ) {
    // A new link counts only from someone the server shows as host.
    e2ee.trustLinkFrom = (peerId) => this.participants.some((participant) => participant.peerId === peerId && participant.host);
    this.host = new HostControls(
      signalling,
      () => this.#selfId,
      (knockId, sealed) => openKnock(this.e2ee.link.secret, this.#roomId, knockId, sealed),
    );
    this.#transports = new TransportPair(
      { signalling, device, encrypted: e2ee.media !== undefined, unconnectable: (error) => this.fail(joinFailure(error)) },
      this.#iceRepair,
    );
    this.#senders = new Senders(
      signalling,
      // Our keys exist (when we start the group) or are on their way (a Welcome) before any frame is sent.
      async () => {
        await this.#started;
        await this.#transports.ready;
        return this.#closed ? undefined : this.#transports.send;
      },
      (sender, kind) => e2ee.media?.encryptSender(sender, this.#selfId, kind),
    );
  }

  get participants(): readonly Participant[] {
    return this.#peers.participants;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Listens to one of the call's events (see CallEvents); returns the function that stops listening. */
  on<E extends keyof CallEvents>(event: E, listener: (...args: CallEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /**
   * The E2EE worker transforms of the producers that are sending now (not
   * paused); a producer without one shows as 'missing', which no proof accepts.
   */
  get activeSenderTransforms(): string[] {
    return this.#senders.activeTransforms;
  }

  /**
   * Connects and loads the device with the SFU's capabilities; the pre-join
   * screen calls it early so that joining is quicker. Safe to call again.
   */
  prepare(): Promise<Prepared> {
    this.#prepared ??= (async () => {
      const { routerRtpCapabilities, requireE2ee, heartbeat } = await this.signalling.request('capabilities', {
        protocolVersion: PROTOCOL_VERSION,
      });
      this.signalling.setHeartbeat(heartbeat);
      if (!this.device.loaded) await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      return { requireE2ee };
    })();
    // A failed attempt may be tried again (the server may have been restarting).
    this.#prepared.catch(() => (this.#prepared = undefined));
    return this.#prepared;
  }

  /**
   * Joins the room (after the lobby, if a host switched it on: `waiting`
   * tells the page). It returns once the server has let this person in, so
   * that the page shows the call at once; the keys and the transports are
   * made meanwhile, everyone else's streams are received as they are pushed,
   * and setMedia sends once both are ready.
   */
  async join({ roomId, displayName, hostKey }: JoinOptions): Promise<void> {
    this.listen();
    this.#roomId = roomId;
    await this.prepare();
    const joining = this.signalling.request('join', {
      roomId,
      rtpCapabilities: this.device.recvRtpCapabilities as never,
      e2ee: this.e2ee.media !== undefined,
      requireE2ee: this.e2ee.requireE2ee,
      ...(hostKey ? { hostKey: toBase64Url(hostKey) } : {}),
      linkProof: await linkProof(this.e2ee.link.secret, roomId),
    });
    this.#transports.ask();
    const answer = await joining;
    if (this.#closed) return;
    let joined: Joined;
    if ('knockId' in answer) {
      this.#listeners.emit('waiting');
      joined = await waitInLobby(this.signalling, sealKnock(this.e2ee.link.secret, roomId, answer.knockId, displayName ?? ''));
    } else joined = answer;
    const { peerId, peers, group, iceServers, iceTransportPolicy, resumeToken } = joined;
    this.signalling.keepSession(resumeToken);
    this.#selfId = peerId;
    this.host.joined(hostKey !== undefined, joined);
    this.#transports.ice = { iceServers: iceServers as RTCIceServer[], iceTransportPolicy };
    for (const peer of peers) this.#peers.add(peer);
    // The name goes to the group's members only, end-to-end encrypted; the server never sees it.
    this.e2ee.setProfile({ name: displayName ?? '', hand: false });
    this.changed();
    // The transports, and the streams the server pushes once the receive one exists (`newConsumer`), are made while
    // the keys are: no stream plays before its sender's key is here (keyReady), and our keys exist (when we start the
    // group) or are on their way (a Welcome) before any frame is sent (produce waits for both).
    this.#started = Promise.all([
      this.e2ee.start(
        peerId,
        roomId,
        group,
        peers.map((peer) => peer.peerId),
      ),
      this.#transports.create(() => this.#closed),
    ]).then(() => undefined);
    this.#started.catch((error: unknown) => this.fail(joinFailure(error)));
  }

  /**
   * Sends a source (camera or microphone) with the given track, or stops
   * sending it (null): the producer pauses and the SFU stops forwarding it.
   * Opening and closing devices is the caller's business.
   */
  setMedia(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    return this.#senders.set(source, track);
  }

  /** Stops sending a source for good (a screen share ends): the others' tiles for it go. */
  stopMedia(source: MediaSource): Promise<void> {
    return this.#senders.stop(source);
  }

  /**
   * A host withdraws the link: the server lets in only the new link's proof
   * from now on, then everyone in gets its secret and a new epoch under it.
   */
  async renewLink(): Promise<void> {
    const next = renewedSecret(this.e2ee.link);
    await this.host.renewLink(await linkProof(next.secret, this.#roomId));
    await this.e2ee.renewLink(next);
    this.#listeners.emit('link', next);
  }

  /** Sends a chat message, end-to-end encrypted and signed, to everyone in the group. */
  async sendChat(text: string): Promise<void> {
    await this.sendToGroup({ t: 'chat', text });
    this.#listeners.emit('chat', { from: this.#selfId, self: true, text, at: new Date() });
  }

  /** Raises or lowers this person's hand, for everyone in the group (and everyone who joins later). */
  setHand(raised: boolean): Promise<void> {
    return this.sendToGroup(this.e2ee.setProfile({ ...this.e2ee.profile, hand: raised }));
  }

  /** A reaction, shown briefly on this person's tile at the others'. */
  react(emoji: Reaction): Promise<void> {
    return this.sendToGroup({ t: 'reaction', emoji });
  }

  /**
   * How this side shows someone's stream: paused at the SFU while hidden, in
   * the simulcast layer that fits while shown. Changes reach the SFU in order.
   */
  setReception(peerId: string, source: MediaSource, reception: Reception): void {
    if (!this.#peers.setShown(peerId, source, reception)) return;
    const producer = this.#peers.ofSource(peerId, source);
    if (producer) void this.applyReception(peerId, producer);
  }

  /** Tells the server this person leaves (after a resume under way: else the others see them for the grace period); releases everything. */
  async leave(): Promise<void> {
    if (this.#closed) return;
    try {
      const { state } = this.signalling;
      if (state === 'open' || state === 'reconnecting') await this.signalling.request('leave', {});
    } catch {
      // Leaving a room the server no longer has us in is still leaving.
    } finally {
      this.close();
    }
  }

  /** Releases the transports, the signalling connection and the E2EE worker. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#stopListening.splice(0)) stop();
    this.#transports.close();
    this.#senders.clear();
    this.#peers.clear();
    this.signalling.close();
    this.e2ee.close();
  }

  /** A new network (Wi-Fi to mobile data, a new address): find a path again now, not after a timeout. */
  networkChanged(): void {
    this.signalling.retryNow();
    for (const transport of this.#transports.all) void this.#iceRepair.restart(transport);
  }

  private listen(): void {
    const { signalling } = this;
    this.#stopListening.push(
      signalling.on('peerJoined', ({ peer }) => {
        this.#peers.add(peer);
        this.e2ee.peerJoined(peer.peerId);
        this.changed();
      }),
      signalling.on('peerLeft', ({ peerId }) => {
        void this.e2ee.peerLeft(peerId);
        if (this.#peers.remove(peerId)) this.changed();
      }),
      ...receiveFromDelivery(signalling, this.e2ee),
      this.e2ee.onMessage((from, content) => {
        if (content.t === 'chat') this.#listeners.emit('chat', { from, self: false, text: content.text, at: new Date() });
        else if (content.t === 'reaction') this.#listeners.emit('reaction', { from, emoji: content.emoji });
        else if (content.t === 'link') this.#listeners.emit('link', this.e2ee.link);
        else if (this.#peers.setProfile(from, { name: content.name, hand: content.hand })) this.changed();
      }),
      signalling.on('producerAdded', ({ peerId, producer }) => this.#peers.addProducer(peerId, producer)),
      signalling.on('newConsumer', (remote) => void this.receive(remote)),
      signalling.on('sendLayers', ({ producerId, spatialLayer }) => this.#senders.setLayers(producerId, spatialLayer)),
      signalling.on('producerClosed', ({ peerId, producerId }) => {
        if (this.#peers.removeProducer(peerId, producerId)) this.changed();
      }),
      signalling.on('producerPaused', ({ peerId, producerId }) => {
        if (this.#peers.setPaused(peerId, producerId, true)) this.changed();
      }),
      signalling.on('producerResumed', ({ peerId, producerId }) => {
        if (this.#peers.setPaused(peerId, producerId, false)) this.changed();
      }),
      signalling.on('mediaReset', () => void this.resetMedia()),
      signalling.on('iceServers', ({ iceServers }) => void this.#transports.renewIceServers(iceServers as RTCIceServer[])),
      signalling.on('serverDraining', () => this.#listeners.emit('notice', 'server-restarting')),
      ...this.host.listen(),
      this.host.on('added', (peerId) => this.#peers.setHost(peerId) && this.changed()),
      this.host.on('dismissed', (reason) => this.fail(reason)),
      signalling.onState((state) => {
        if (state === 'closed') return this.fail('connection-lost');
        const reconnecting = state === 'reconnecting';
        if (reconnecting === this.#reconnecting) return;
        this.#reconnecting = reconnecting;
        this.#listeners.emit('connection', reconnecting);
      }),
      signalling.onSessionLost((code) => this.fail(code === 'upgrade-required' ? 'upgrade-required' : 'session-expired')),
    );
  }

  /**
   * The SFU lost everything it held for this room (its worker died) and moved
   * the room to a new router: the same people, the same keys, new transports.
   * Our streams are sent again; everyone else's are announced again as they
   * are sent again, and received as before.
   */
  private async resetMedia(): Promise<void> {
    const { sending } = this.#senders;
    this.#transports.reset();
    this.#senders.clear();
    this.#peers.forgetStreams();
    this.changed();
    try {
      await this.#transports.create(() => this.#closed);
      await Promise.all(sending.map(({ source, track }) => this.#senders.set(source, track)));
    } catch {
      // Another reset or the end of the call came in between; that path takes over.
    }
  }

  /** Receives a stream the server pushed; one that vanished meanwhile (closed, an SFU reset, the call's end) is simply not shown. */
  private receive(remote: NotificationData<'newConsumer'>): Promise<void> {
    // As current as the notifications before it; later ones apply on top.
    const known = this.#peers.producer(remote.peerId, remote.producerId);
    if (known) known.paused = remote.producerPaused;
    return this.startConsumer(remote).catch(() => undefined);
  }

  private async startConsumer({ consumerId, producerId, peerId, kind, rtpParameters }: NotificationData<'newConsumer'>): Promise<void> {
    await this.#transports.ready;
    const transport = this.#transports.recv;
    if (!transport || this.#closed) return;
    const consumer = await transport.consume({
      id: consumerId,
      producerId,
      kind,
      rtpParameters: rtpParameters as types.RtpParameters,
      onRtpReceiver: (receiver) => this.e2ee.media?.decryptReceiver(receiver, peerId, kind),
    });
    const producer = this.#peers.producer(peerId, producerId);
    // The producer or its peer went away while we were setting up.
    if (!producer || this.#closed) {
      consumer.close();
      return;
    }
    producer.consumer = consumer;
    // The first key frame must find the sender's key here, or it is dropped and the picture waits for the next:
    // everything said to the SFU about this stream, its resume included, queues behind that key.
    if (this.e2ee.media) {
      const keyHere = this.e2ee.keyReady(peerId, FIRST_KEY_WAIT_MS);
      producer.applying = (producer.applying ?? Promise.resolve()).then(() => keyHere);
    }
    // Its tile gets the track now, so that the page is ready to show the first frame and asks for the layer it needs.
    this.changed();
    // Consumers start paused on the server; this side is ready for RTP now (if its tile is shown).
    await this.applyReception(peerId, producer);
  }

  private applyReception(peerId: string, producer: RemoteProducer): Promise<void> {
    return applyReception(
      producer,
      () => this.#peers.shownAs(peerId, producer),
      this.signalling,
      () => this.#closed,
    );
  }

  private async sendToGroup(content: GroupContent): Promise<void> {
    const payload = await this.e2ee.seal(content);
    if (payload === undefined) throw new Error('not in the encrypted group yet');
    await this.signalling.request('sendGroupMessage', { payload });
  }

  private changed(): void {
    if (this.#closed) return;
    this.#listeners.emit('change', this.participants);
  }

  private fail(reason: CallFailure): void {
    if (this.#closed) return;
    this.close();
    this.#listeners.emit('failure', reason);
  }
}

import { Device, type types } from 'mediasoup-client';
import type { MediaSource, PeerInfo, ProducerInfo, RequestResult } from '@raum/protocol';
import type { E2eeSession } from '../e2ee/e2ee-session';
import type { SignallingChannel } from '../signalling/signalling-channel';

/** A stream received from another participant. */
export interface RemoteMedia {
  readonly producerId: string;
  readonly track: MediaStreamTrack;
  /** The sender turned it off (camera off, microphone muted). */
  readonly paused: boolean;
}

/** Another person in the call, as the page shows them. */
export interface Participant {
  readonly peerId: string;
  readonly displayName: string | undefined;
  readonly camera: RemoteMedia | undefined;
  readonly microphone: RemoteMedia | undefined;
}

export interface JoinOptions {
  readonly roomId: string;
  readonly displayName?: string;
  readonly camera?: MediaStreamTrack;
  readonly microphone?: MediaStreamTrack;
}

/** A chat message, decrypted; messages that do not decrypt are never shown. */
export interface ChatMessage {
  readonly from: string;
  readonly self: boolean;
  readonly text: string;
  readonly at: Date;
}

/** Why a call ended without the person leaving. */
export type CallFailure = 'connection-lost' | 'room-full' | 'e2ee-required' | 'server-error';

/** What the server said before joining. */
export interface Prepared {
  /** The operator admits only browsers that encrypt end to end. */
  readonly requireE2ee: boolean;
}

interface RemoteProducer {
  readonly info: ProducerInfo;
  paused: boolean;
  consumer?: types.Consumer;
}

interface RemotePeer {
  readonly peerId: string;
  readonly displayName: string | undefined;
  readonly producers: Map<string, RemoteProducer>;
}

/** How long a new stream waits for its sender's key before it starts anyway. */
const FIRST_KEY_WAIT_MS = 3000;

/** How long a chat message that did not decrypt waits for its sender's key before one more try. */
const CHAT_RETRY_MS = 1500;

// Three layers for the camera, so the SFU can send each receiver what it can take.
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/**
 * One person's side of a call through the SFU: the mediasoup-client device,
 * one send and one receive transport, the local producers and a consumer per
 * remote stream. Knows nothing of Angular; the page observes it through
 * onChange and onFailure.
 */
export class Call {
  readonly #peers = new Map<string, RemotePeer>();
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #changeListeners = new Set<(participants: readonly Participant[]) => void>();
  readonly #failureListeners = new Set<(reason: CallFailure) => void>();
  readonly #chatListeners = new Set<(message: ChatMessage) => void>();
  /** Each producer's transform in the E2EE worker, by producer id. */
  readonly #senderTransforms = new Map<string, string>();
  #selfId = '';
  #ice: Pick<types.TransportOptions, 'iceServers' | 'iceTransportPolicy'> = {};
  readonly #stopListening: Array<() => void> = [];
  #sendTransport: types.Transport | undefined;
  #recvTransport: types.Transport | undefined;
  #prepared: Promise<Prepared> | undefined;
  #transportsCreated!: () => void;
  /** Streams announced while joining wait for the transports here. */
  readonly #transportsReady = new Promise<void>((resolve) => (this.#transportsCreated = resolve));
  #left = false;

  constructor(
    private readonly signalling: SignallingChannel,
    readonly e2ee: E2eeSession,
    private readonly device: Device = new Device(),
  ) {}

  get participants(): readonly Participant[] {
    return [...this.#peers.values()].map(toParticipant);
  }

  onChange(listener: (participants: readonly Participant[]) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onFailure(listener: (reason: CallFailure) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  onChat(listener: (message: ChatMessage) => void): () => void {
    this.#chatListeners.add(listener);
    return () => this.#chatListeners.delete(listener);
  }

  /**
   * The E2EE worker transforms of the producers that are sending now (not
   * paused); a producer without one shows as 'missing', which no proof accepts.
   */
  get activeSenderTransforms(): string[] {
    return [...this.#producers.values()].filter((producer) => !producer.paused).map((producer) => this.#senderTransforms.get(producer.id) ?? 'missing');
  }

  /**
   * Connects and loads the device with the SFU's capabilities; the pre-join
   * screen calls it early so that joining is quicker. Safe to call again.
   */
  prepare(): Promise<Prepared> {
    this.#prepared ??= (async () => {
      const { routerRtpCapabilities, requireE2ee } = await this.signalling.request('capabilities', {});
      if (!this.device.loaded) await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      return { requireE2ee };
    })();
    return this.#prepared;
  }

  /** Joins the room, sends the given tracks and receives everyone else's. */
  async join({ roomId, displayName, camera, microphone }: JoinOptions): Promise<void> {
    this.listen();
    await this.prepare();
    const { peerId, peers, iceServers, iceTransportPolicy } = await this.signalling.request('join', {
      roomId,
      displayName,
      rtpCapabilities: this.device.recvRtpCapabilities as never,
      e2ee: this.e2ee.media !== undefined,
      requireE2ee: this.e2ee.requireE2ee,
    });
    this.#selfId = peerId;
    this.#ice = { iceServers: iceServers as RTCIceServer[], iceTransportPolicy };
    for (const peer of peers) this.addPeer(peer);
    // Our key exists before any frame does; the others learn it from the key exchange.
    await this.e2ee.start(peerId);
    this.changed();
    const [recv, send] = await Promise.all([this.createTransport('recv'), this.createTransport('send')]);
    this.#recvTransport = recv;
    this.#sendTransport = send;
    this.#transportsCreated();
    await Promise.all([
      ...peers.flatMap((peer) => peer.producers.map((producer) => this.consume(peer.peerId, producer.producerId))),
      camera && this.produce('camera', camera),
      microphone && this.produce('microphone', microphone),
    ]);
  }

  /**
   * Sends a source (camera or microphone) with the given track, or stops
   * sending it (null): the producer pauses and the SFU stops forwarding it.
   * Opening and closing devices is the caller's business.
   */
  async setMedia(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    const producer = this.#producers.get(source);
    if (!track) {
      if (!producer || producer.paused) return;
      producer.pause();
      await this.signalling.request('pauseProducer', { producerId: producer.id });
      return;
    }
    if (!producer) {
      await this.produce(source, track);
      return;
    }
    if (producer.track !== track) await producer.replaceTrack({ track });
    if (!producer.paused) return;
    producer.resume();
    await this.signalling.request('resumeProducer', { producerId: producer.id });
  }

  /** Sends a chat message, end-to-end encrypted, to everyone in the room. */
  async sendChat(text: string): Promise<void> {
    await this.signalling.request('sendChat', { payload: await this.e2ee.encryptChat(text) });
    this.emitChat({ from: this.#selfId, self: true, text, at: new Date() });
  }

  /** Leaves the room and releases every transport of this call. */
  async leave(): Promise<void> {
    if (this.#left) return;
    try {
      if (!this.signalling.closed) await this.signalling.request('leave', {});
    } catch {
      // Leaving a room the server no longer has us in is still leaving.
    } finally {
      this.tearDown();
      this.signalling.close();
    }
  }

  private listen(): void {
    const { signalling } = this;
    this.#stopListening.push(
      signalling.on('peerJoined', ({ peer }) => {
        this.addPeer(peer);
        this.changed();
      }),
      signalling.on('peerLeft', ({ peerId }) => {
        void this.e2ee.peerLeft(peerId);
        const peer = this.#peers.get(peerId);
        if (!peer) return;
        for (const producer of peer.producers.values()) producer.consumer?.close();
        this.#peers.delete(peerId);
        this.changed();
      }),
      signalling.on('keyMessage', ({ from, payload }) => void this.e2ee.receive(from, payload)),
      signalling.on('chatMessage', ({ from, payload }) => void this.receiveChat(from, payload)),
      signalling.on('producerAdded', ({ peerId, producer }) => {
        const peer = this.#peers.get(peerId);
        if (!peer) return;
        peer.producers.set(producer.producerId, { info: producer, paused: producer.paused });
        void this.consume(peerId, producer.producerId);
      }),
      signalling.on('producerClosed', ({ peerId, producerId }) => {
        const peer = this.#peers.get(peerId);
        peer?.producers.get(producerId)?.consumer?.close();
        if (peer?.producers.delete(producerId)) this.changed();
      }),
      signalling.on('producerPaused', ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, true)),
      signalling.on('producerResumed', ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, false)),
      signalling.onClosed(() => this.fail('connection-lost')),
    );
  }

  private addPeer(info: PeerInfo): void {
    const producers = new Map(info.producers.map((producer) => [producer.producerId, { info: producer, paused: producer.paused }]));
    this.#peers.set(info.peerId, { peerId: info.peerId, displayName: info.displayName, producers });
  }

  private setRemotePaused(peerId: string, producerId: string, paused: boolean): void {
    const producer = this.#peers.get(peerId)?.producers.get(producerId);
    if (!producer) return;
    producer.paused = paused;
    this.changed();
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const remote: RequestResult<'createTransport'> = await this.signalling.request('createTransport', { direction });
    const options: types.TransportOptions = {
      id: remote.transportId,
      iceParameters: remote.iceParameters as types.IceParameters,
      iceCandidates: remote.iceCandidates as types.IceCandidate[],
      dtlsParameters: remote.dtlsParameters as types.DtlsParameters,
      // Without it, a transform attached after negotiation sees no frame and media leaves unencrypted.
      // Only the operator's own STUN/TURN servers, never a public one.
      ...this.#ice,
      additionalSettings: this.e2ee.media ? ({ encodedInsertableStreams: true } as Partial<RTCConfiguration>) : undefined,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signalling
        .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.signalling
        .request('produce', { transportId: transport.id, kind, source: appData['source'] as MediaSource, rtpParameters: rtpParameters as never })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') this.fail('connection-lost');
    });
    return transport;
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (!this.#sendTransport) throw new Error('join before sending media');
    let transform: string | undefined;
    const producer = await this.#sendTransport.produce({
      track,
      appData: { source },
      stopTracks: false,
      // Encrypt from the sender's creation on, before its first frame.
      onRtpSender: (sender) => (transform = this.e2ee.media?.encryptSender(sender, this.#selfId, track.kind as 'audio' | 'video')),
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS } : { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } }),
    });
    this.#producers.set(source, producer);
    if (transform) this.#senderTransforms.set(producer.id, transform);
  }

  /** Receives one remote stream; a stream that vanished meanwhile is simply not shown. */
  private async consume(peerId: string, producerId: string): Promise<void> {
    try {
      await this.startConsumer(peerId, producerId);
    } catch {
      // The producer closed or the call ended while this was under way.
    }
  }

  private async startConsumer(peerId: string, producerId: string): Promise<void> {
    await this.#transportsReady;
    const transport = this.#recvTransport;
    if (!transport || this.#left) return;
    const remote = await this.signalling.request('consume', { producerId });
    // The answer is as current as the notifications before it; later ones apply on top.
    const known = this.#peers.get(peerId)?.producers.get(producerId);
    if (known) known.paused = remote.producerPaused;
    const consumer = await transport.consume({
      id: remote.consumerId,
      producerId,
      kind: remote.kind,
      rtpParameters: remote.rtpParameters as types.RtpParameters,
      onRtpReceiver: (receiver) => this.e2ee.media?.decryptReceiver(receiver, peerId, remote.kind),
    });
    const producer = this.#peers.get(peerId)?.producers.get(producerId);
    // The producer or its peer went away while we were setting up.
    if (!producer || this.#left) {
      consumer.close();
      return;
    }
    producer.consumer = consumer;
    // The first key frame must find the sender's key here, or it is dropped and the picture waits for the next.
    if (this.e2ee.media) await this.e2ee.keyReady(peerId, FIRST_KEY_WAIT_MS);
    // Consumers start paused on the server; only now is this side ready for RTP.
    await this.signalling.request('resumeConsumer', { consumerId: consumer.id });
    this.changed();
  }

  /**
   * Shows a chat message once it decrypts. If it does not, the sender is asked
   * for its current key (by the E2EE session) and the message tried once more.
   */
  private async receiveChat(from: string, payload: string): Promise<void> {
    let text = await this.e2ee.decryptChat(from, payload);
    if (text === undefined) {
      await new Promise((resolve) => setTimeout(resolve, CHAT_RETRY_MS));
      text = await this.e2ee.decryptChat(from, payload);
    }
    if (text !== undefined && !this.#left) this.emitChat({ from, self: false, text, at: new Date() });
  }

  private emitChat(message: ChatMessage): void {
    for (const listener of this.#chatListeners) listener(message);
  }

  private changed(): void {
    if (this.#left) return;
    const participants = this.participants;
    for (const listener of this.#changeListeners) listener(participants);
  }

  private fail(reason: CallFailure): void {
    if (this.#left) return;
    this.tearDown();
    for (const listener of this.#failureListeners) listener(reason);
  }

  private tearDown(): void {
    this.#left = true;
    for (const stop of this.#stopListening.splice(0)) stop();
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#producers.clear();
    this.#peers.clear();
  }
}

function toParticipant(peer: RemotePeer): Participant {
  let camera: RemoteMedia | undefined;
  let microphone: RemoteMedia | undefined;
  for (const producer of peer.producers.values()) {
    if (!producer.consumer) continue;
    const media = { producerId: producer.info.producerId, track: producer.consumer.track, paused: producer.paused };
    if (producer.info.source === 'camera') camera = media;
    else microphone = media;
  }
  return { peerId: peer.peerId, displayName: peer.displayName, camera, microphone };
}

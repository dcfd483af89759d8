import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type {
  MediaKind,
  MediaSource,
  NotificationData,
  NotificationMethod,
  PeerInfo,
  ProducerInfo,
  TransportDirection,
} from '@raum/protocol';
import { InvalidStateError, NotFoundError, RaumError } from '../common/errors';
import type { SfuConsumer, SfuProducer, SfuRouter, SfuTransport } from '../media/sfu-types';

/** How the room reaches this participant's socket; the peer knows nothing of WebSockets. */
export type Notify = <M extends NotificationMethod>(method: M, data: NotificationData<M>) => void;

/** Why a participant's session was ended from the room's side (PeerLink.dismiss). */
export type Dismissal = 'ended' | 'moved';

/** How the room reaches the participant behind a peer: tells them something, or ends their session. */
export interface PeerLink {
  readonly notify: Notify;
  /**
   * Their session is over, and they are out of the room and cannot resume: a host removed them or ended the meeting
   * ('ended'), or the meeting's home is another node now ('moved': they join again there by themselves).
   */
  readonly dismiss: (why: Dismissal) => void;
  /** A host let them in from the lobby: they are in the room now, as after a join. */
  readonly admitted: (entry: Entered) => void;
  /** Cluster mode: the node their socket is on, when it is another one (their media goes there too). */
  readonly edge?: () => string | undefined;
}

/** What a newcomer gets on entering: who was there, and whether it starts the MLS group or waits to be added. */
export interface Entered {
  readonly others: PeerInfo[];
  readonly group: 'create' | 'join';
}

type ProducerAppData = { source: MediaSource };

/** Which kind each source must carry. */
export const SOURCE_KIND: Record<MediaSource, MediaKind> = {
  camera: 'video',
  microphone: 'audio',
  screen: 'video',
  'screen-audio': 'audio',
};

/** Simulcast layers a producer may send: three for video (as the client does), one for audio. */
const MAX_ENCODINGS: Record<MediaKind, number> = { video: 3, audio: 1 };

/** What the SFU allows one peer, so that nobody can make it work for many. */
export interface PeerLimits {
  /** Bits per second the send transport takes in. */
  readonly incomingBitrate: number;
  /** Consumers at once: one per stream of everyone else in a full room. */
  readonly consumers: number;
}

/**
 * One participant in one room, and everything the SFU holds for them: at most
 * one send and one receive transport, their producers and their consumers.
 * Closing the peer closes its transports, and with them (inside mediasoup)
 * its producers and consumers.
 */
export class Peer {
  readonly id = randomUUID();
  readonly #transports = new Map<TransportDirection, SfuTransport>();
  readonly #producers = new Map<string, SfuProducer<ProducerAppData>>();
  readonly #consumers = new Map<string, SfuConsumer>();
  /** The producers this peer receives, or is being given a consumer of. */
  readonly #received = new Set<string>();
  readonly #connected = new WeakSet<SfuTransport>();
  #closed = false;
  #host: boolean;

  constructor(
    /** Whether the browser can encrypt media end to end (it says so itself). */
    readonly e2ee: boolean,
    /** Joined with the room's host key (checked against the room id). */
    host: boolean,
    readonly rtpCapabilities: types.RtpCapabilities,
    private readonly link: PeerLink,
    private readonly limits: PeerLimits,
  ) {
    this.#host = host;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Joined with the host link, or made a co-host by a host. */
  get host(): boolean {
    return this.#host;
  }

  makeHost(): void {
    this.#host = true;
  }

  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    this.link.notify(method, data);
  }

  get edge(): string | undefined {
    return this.link.edge?.();
  }

  dismiss(why: Dismissal = 'ended'): void {
    this.link.dismiss(why);
  }

  admitted(entry: Entered): void {
    this.link.admitted(entry);
  }

  get producers(): IterableIterator<SfuProducer<ProducerAppData>> {
    return this.#producers.values();
  }

  info(): PeerInfo {
    return { peerId: this.id, e2ee: this.e2ee, host: this.host, producers: [...this.#producers.values()].map(producerInfo) };
  }

  async createTransport(
    direction: TransportDirection,
    router: SfuRouter,
    webRtcServer: types.WebRtcServer | undefined,
  ): Promise<SfuTransport> {
    if (this.#transports.has(direction)) throw new InvalidStateError(`a ${direction} transport exists already`);
    const transport = await router.createWebRtcTransport({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
    });
    // The peer may have left while the worker was creating the transport.
    if (this.#closed) {
      transport.close();
      throw new InvalidStateError('the peer has left');
    }
    if (direction === 'send') await transport.setMaxIncomingBitrate(this.limits.incomingBitrate);
    this.#transports.set(direction, transport);
    transport.observer.once('close', () => {
      if (this.#transports.get(direction) === transport) this.#transports.delete(direction);
    });
    return transport;
  }

  /** DTLS parameters for a transport, once: a second connect would only confuse the worker. */
  async connect(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.transport(transportId);
    if (this.#connected.has(transport)) throw new InvalidStateError('that transport is connected already');
    this.#connected.add(transport);
    try {
      await transport.connect({ dtlsParameters });
    } catch (error) {
      this.#connected.delete(transport);
      throw error;
    }
  }

  transport(transportId: string): SfuTransport {
    for (const transport of this.#transports.values()) if (transport.id === transportId) return transport;
    throw new NotFoundError('transport');
  }

  async produce(
    transportId: string,
    kind: MediaKind,
    source: MediaSource,
    rtpParameters: types.RtpParameters,
    paused: boolean,
  ): Promise<SfuProducer<ProducerAppData>> {
    const transport = this.transport(transportId);
    if (transport !== this.#transports.get('send')) throw new InvalidStateError('produce needs the send transport');
    if (SOURCE_KIND[source] !== kind) throw new RaumError('bad-request', `a ${source} carries ${SOURCE_KIND[source]}`);
    if ((rtpParameters.encodings?.length ?? 0) > MAX_ENCODINGS[kind]) {
      throw new RaumError('bad-request', `${kind} is sent in at most ${MAX_ENCODINGS[kind]} encoding(s)`);
    }
    if (this.producerOf(source)) throw new InvalidStateError(`a ${source} producer exists already`);
    const producer = await transport.produce<ProducerAppData>({ kind, rtpParameters, paused, appData: { source } });
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    return producer;
  }

  /** The producer of a source (a microphone), if this peer sends one. */
  producerOf(source: MediaSource): SfuProducer<ProducerAppData> | undefined {
    for (const producer of this.#producers.values()) if (producer.appData.source === source) return producer;
    return undefined;
  }

  producer(producerId: string): SfuProducer<ProducerAppData> {
    const producer = this.#producers.get(producerId);
    if (!producer) throw new NotFoundError('producer');
    return producer;
  }

  /** Whether this peer has its receive transport, so that streams can be pushed to it. */
  get receiving(): boolean {
    return this.#transports.has('recv');
  }

  /** A paused consumer of another peer's producer on this peer's receive transport. */
  async consume(router: SfuRouter, producer: { readonly id: string }): Promise<SfuConsumer> {
    const transport = this.#transports.get('recv');
    if (!transport) throw new InvalidStateError('create the recv transport before consuming');
    if (this.#received.has(producer.id)) throw new InvalidStateError('that stream is received already');
    if (this.#received.size >= this.limits.consumers) throw new RaumError('limit-reached', 'no more streams can be received');
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities: this.rtpCapabilities })) {
      throw new RaumError('unsupported', 'this browser cannot decode that stream');
    }
    // Taken before the worker is asked: a stream announced while the transport was being made is pushed from both sides.
    this.#received.add(producer.id);
    let consumer: SfuConsumer;
    try {
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: this.rtpCapabilities, paused: true });
    } catch (error) {
      this.#received.delete(producer.id);
      throw error;
    }
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.#received.delete(producer.id);
    });
    return consumer;
  }

  consumer(consumerId: string): SfuConsumer {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('consumer');
    return consumer;
  }

  /** New ICE credentials for one of this peer's transports (its network changed). */
  restartIce(transportId: string): Promise<types.IceParameters> {
    return this.transport(transportId).restartIce();
  }

  /** Releases everything the SFU holds for this peer. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of [...this.#transports.values()]) transport.close();
  }
}

export function producerInfo(producer: SfuProducer<ProducerAppData>): ProducerInfo {
  return { producerId: producer.id, kind: producer.kind, source: producer.appData.source, paused: producer.paused };
}

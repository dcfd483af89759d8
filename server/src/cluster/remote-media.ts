import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { types } from 'mediasoup';
import type { SfuConsumer, SfuProducer, SfuRouter, SfuTransport, WebRtcTransportOptions } from '../media/sfu-types';
import { ClusterService } from './cluster.service';
import type { ConsumerMade, TransportMade } from './media-agent';
import type { RouterOnNode } from './node-pipes';

/**
 * On a meeting's home node: the media of its participants whose sockets
 * landed on other nodes, run there by each node's MediaAgent. Rooms use these
 * stand-ins as they use mediasoup's own objects; every call crosses the bus.
 */
@Injectable()
export class RemoteMedia {
  /** Every stand-in by the id of what it stands for, to hear when that ends by itself. */
  readonly #objects = new Map<string, RemoteObject>();

  constructor(private readonly cluster: ClusterService) {
    cluster.answer('media.closed', async ({ id }: { id: string }) => this.#objects.get(id)?.endedThere());
  }

  /**
   * A router for a meeting on `node`. If that node dies, `gone` is called
   * (its people went with it); if the router ends there by itself (its
   * worker died), `lost` is (the people there need new transports).
   */
  async router(node: string, { gone, lost }: { gone: () => void; lost: () => void }): Promise<RemoteRouter> {
    const id = await this.cluster.call<string>(node, 'media.router', {});
    const router = this.track(new RemoteRouter(this, node, id, lost));
    const unwatch = this.cluster.watch(node, () => {
      router.ended();
      gone();
    });
    router.observer.once('close', unwatch);
    return router;
  }

  /** Asks `node` to run `method` on the object `id` there. */
  call<T = void>(node: string, method: string, data: { id: string; [more: string]: unknown }): Promise<T> {
    return this.cluster.call<T>(node, method, data);
  }

  track<T extends RemoteObject>(object: T): T {
    this.#objects.set(object.id, object);
    object.observer.once('close', () => this.#objects.delete(object.id));
    return object;
  }
}

/** What every stand-in shares: an id there, and an end, asked for here or reported from there. */
abstract class RemoteObject {
  readonly observer = new EventEmitter<{ close: [] }>();
  #closed = false;

  constructor(
    protected readonly remote: RemoteMedia,
    readonly node: string,
    readonly id: string,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    void this.remote.call(this.node, 'media.close', { id: this.id }).catch(() => undefined);
    this.ended();
  }

  /** It ended there by itself (it was not closed from here). */
  endedThere(): void {
    this.ended();
  }

  /** It ended there (or its node did): closed here too, without asking. */
  ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.observer.emit('close');
  }
}

export class RemoteRouter extends RemoteObject implements SfuRouter {
  constructor(
    remote: RemoteMedia,
    node: string,
    id: string,
    private readonly lost: () => void,
  ) {
    super(remote, node, id);
  }

  override endedThere(): void {
    if (this.closed) return;
    super.endedThere();
    this.lost();
  }

  /** The node checks when it consumes (it has the producer); a refusal comes back as an error. */
  canConsume(): boolean {
    return true;
  }

  async createWebRtcTransport({ webRtcServer: _ours, ...options }: WebRtcTransportOptions): Promise<SfuTransport> {
    const made = await this.remote.call<TransportMade>(this.node, 'media.transport', { ...options, id: this.id });
    const transport = this.remote.track(new RemoteTransport(this.remote, this.node, made));
    this.observer.once('close', () => transport.ended());
    return transport;
  }

  /** Makes a producer on this router consumable on another router (of any node), with the same id; returns what closes that pipe. */
  async pipeTo(producerId: string, to: RouterOnNode): Promise<() => void> {
    const pipe = await this.remote.call<string>(this.node, 'media.pipe', { id: this.id, producerId, to });
    return () => void this.remote.call(this.node, 'media.close', { id: pipe }).catch(() => undefined);
  }
}

class RemoteTransport extends RemoteObject implements SfuTransport {
  readonly iceParameters: types.IceParameters;
  readonly iceCandidates: types.IceCandidate[];
  readonly dtlsParameters: types.DtlsParameters;

  constructor(remote: RemoteMedia, node: string, made: TransportMade) {
    super(remote, node, made.id);
    ({ iceParameters: this.iceParameters, iceCandidates: this.iceCandidates, dtlsParameters: this.dtlsParameters } = made);
  }

  connect({ dtlsParameters }: { dtlsParameters: types.DtlsParameters }): Promise<void> {
    return this.remote.call(this.node, 'media.connect', { id: this.id, dtlsParameters });
  }

  restartIce(): Promise<types.IceParameters> {
    return this.remote.call<types.IceParameters>(this.node, 'media.restartIce', { id: this.id });
  }

  setMaxIncomingBitrate(bitrate: number): Promise<void> {
    return this.remote.call(this.node, 'media.maxIncomingBitrate', { id: this.id, bitrate });
  }

  async produce<AppData extends types.AppData>(options: {
    kind: types.MediaKind;
    rtpParameters: types.RtpParameters;
    paused: boolean;
    appData: AppData;
  }): Promise<SfuProducer<AppData>> {
    const { id } = await this.remote.call<{ id: string }>(this.node, 'media.produce', { ...options, id: this.id });
    return this.child(new RemoteProducer(this.remote, this.node, id, options));
  }

  async consume(options: { producerId: string; rtpCapabilities: types.RtpCapabilities; paused: boolean }): Promise<SfuConsumer> {
    const made = await this.remote.call<ConsumerMade>(this.node, 'media.consume', { ...options, id: this.id });
    return this.child(new RemoteConsumer(this.remote, this.node, made, options.paused));
  }

  /** As in mediasoup: what a transport carries ends with it. */
  private child<T extends RemoteObject>(object: T): T {
    this.remote.track(object);
    this.observer.once('close', () => object.ended());
    return object;
  }
}

/** A producer or consumer: paused and resumed there, its state kept here. */
abstract class RemotePausable extends RemoteObject {
  #paused: boolean;

  constructor(remote: RemoteMedia, node: string, id: string, paused: boolean) {
    super(remote, node, id);
    this.#paused = paused;
  }

  get paused(): boolean {
    return this.#paused;
  }

  async pause(): Promise<void> {
    await this.remote.call(this.node, 'media.pause', { id: this.id, paused: true });
    this.#paused = true;
  }

  async resume(): Promise<void> {
    await this.remote.call(this.node, 'media.pause', { id: this.id, paused: false });
    this.#paused = false;
  }
}

class RemoteProducer<AppData extends types.AppData> extends RemotePausable implements SfuProducer<AppData> {
  readonly kind: types.MediaKind;
  readonly appData: AppData;

  constructor(remote: RemoteMedia, node: string, id: string, options: { kind: types.MediaKind; paused: boolean; appData: AppData }) {
    super(remote, node, id, options.paused);
    this.kind = options.kind;
    this.appData = options.appData;
  }
}

class RemoteConsumer extends RemotePausable implements SfuConsumer {
  readonly kind: types.MediaKind;
  readonly type: types.ConsumerType;
  readonly rtpParameters: types.RtpParameters;
  readonly producerPaused: boolean;

  constructor(remote: RemoteMedia, node: string, made: ConsumerMade, paused: boolean) {
    super(remote, node, made.id, paused);
    ({ kind: this.kind, type: this.type, rtpParameters: this.rtpParameters, producerPaused: this.producerPaused } = made);
  }

  setPreferredLayers(layers: types.ConsumerLayers): Promise<void> {
    return this.remote.call(this.node, 'media.layers', { id: this.id, layers });
  }
}

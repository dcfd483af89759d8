import { Injectable } from '@nestjs/common';
import type { types } from 'mediasoup';
import { NotFoundError } from '../common/errors';
import { MediaService } from '../media/media.service';
import { ClusterService } from './cluster.service';
import { NodePipes, type RouterOnNode } from './node-pipes';

/** Anything the agent made for a home node, and can close when asked. */
interface Made {
  readonly closed: boolean;
  close(): void;
}

/** How the home wants a transport made; this node's own WebRtcServer is used. */
type TransportOptions = Pick<types.WebRtcTransportOptions, 'enableUdp' | 'enableTcp' | 'preferUdp' | 'initialAvailableOutgoingBitrate'>;

export interface TransportMade {
  readonly id: string;
  readonly iceParameters: types.IceParameters;
  readonly iceCandidates: types.IceCandidate[];
  readonly dtlsParameters: types.DtlsParameters;
}

export interface ConsumerMade {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly type: types.ConsumerType;
  readonly rtpParameters: types.RtpParameters;
  readonly producerPaused: boolean;
}

/**
 * On the node a participant's socket landed on: their media, run for the
 * meeting's home node (see RemoteMedia there). The home asks for a router
 * for the meeting here, and for transports, producers and consumers on it;
 * whatever ends by itself here (a consumer whose stream closed) is reported
 * back. Everything made for a home closes when that home is gone.
 */
@Injectable()
export class MediaAgent {
  /** What each home node had made here, by id. */
  readonly #made = new Map<string, { readonly home: string; readonly object: Made }>();
  /** The WebRtcServer of each router's worker, which its transports share. */
  readonly #servers = new Map<string, types.WebRtcServer>();

  constructor(
    private readonly cluster: ClusterService,
    private readonly media: MediaService,
    private readonly pipes: NodePipes,
  ) {
    cluster.answer('media.router', (_: unknown, home) => this.router(home));
    cluster.answer('media.transport', ({ id, ...options }: { id: string } & TransportOptions, home) => this.transport(id, options, home));
    cluster.answer('media.connect', async ({ id, dtlsParameters }: { id: string; dtlsParameters: types.DtlsParameters }) =>
      this.find<types.WebRtcTransport>(id).connect({ dtlsParameters }),
    );
    cluster.answer('media.restartIce', async ({ id }: { id: string }) => this.find<types.WebRtcTransport>(id).restartIce());
    cluster.answer('media.maxIncomingBitrate', async ({ id, bitrate }: { id: string; bitrate: number }) =>
      this.find<types.WebRtcTransport>(id).setMaxIncomingBitrate(bitrate),
    );
    cluster.answer('media.produce', ({ id, ...options }: { id: string } & types.ProducerOptions, home) => this.produce(id, options, home));
    cluster.answer('media.consume', ({ id, ...options }: { id: string } & types.ConsumerOptions, home) => this.consume(id, options, home));
    cluster.answer('media.pause', async ({ id, paused }: { id: string; paused: boolean }) => {
      const object = this.find<types.Producer | types.Consumer>(id);
      await (paused ? object.pause() : object.resume());
    });
    cluster.answer('media.layers', async ({ id, layers }: { id: string; layers: types.ConsumerLayers }) =>
      this.find<types.Consumer>(id).setPreferredLayers(layers),
    );
    cluster.answer('media.pipe', async ({ id: routerId, producerId, to }: { id: string; producerId: string; to: RouterOnNode }, home) => {
      const close = await this.pipes.pipe(producerId, this.find<types.Router>(routerId), to);
      const id = `pipe ${producerId} ${to.node} ${to.routerId}`;
      this.keep(id, home, { closed: false, close });
      return id;
    });
    cluster.answer('media.close', async ({ id }: { id: string }) => {
      this.#made.get(id)?.object.close();
      this.#made.delete(id);
    });
  }

  private async router(home: string): Promise<string> {
    const { router, webRtcServer } = await this.media.createRouter();
    this.pipes.expose(router);
    this.#servers.set(router.id, webRtcServer);
    router.observer.once('close', () => this.#servers.delete(router.id));
    this.keep(router.id, home, router, router.observer);
    // A home that dies takes what it made here along.
    const unwatch = this.cluster.watch(home, () => router.close());
    router.observer.once('close', unwatch);
    return router.id;
  }

  private async transport(routerId: string, options: TransportOptions, home: string): Promise<TransportMade> {
    const router = this.find<types.Router>(routerId);
    const webRtcServer = this.#servers.get(routerId)!;
    const transport = await router.createWebRtcTransport({ ...options, webRtcServer });
    this.keep(transport.id, home, transport, transport.observer);
    const { id, iceParameters, iceCandidates, dtlsParameters } = transport;
    return { id, iceParameters, iceCandidates, dtlsParameters };
  }

  private async produce(transportId: string, options: types.ProducerOptions, home: string): Promise<{ id: string }> {
    const producer = await this.find<types.WebRtcTransport>(transportId).produce(options);
    this.keep(producer.id, home, producer, producer.observer);
    return { id: producer.id };
  }

  private async consume(transportId: string, options: types.ConsumerOptions, home: string): Promise<ConsumerMade> {
    const consumer = await this.find<types.WebRtcTransport>(transportId).consume(options);
    this.keep(consumer.id, home, consumer, consumer.observer);
    const { id, kind, type, rtpParameters, producerPaused } = consumer;
    return { id, kind, type, rtpParameters, producerPaused };
  }

  /** Keeps `object` for its home; when it closes (asked to, or by itself), the home is told. */
  private keep(id: string, home: string, object: Made, observer?: { once(event: 'close', listener: () => void): unknown }): void {
    this.#made.set(id, { home, object });
    observer?.once('close', () => {
      this.#made.delete(id);
      void this.cluster.call(home, 'media.closed', { id }).catch(() => undefined);
    });
  }

  private find<T>(id: string): T {
    const made = this.#made.get(id);
    if (!made || made.object.closed) throw new NotFoundError('media');
    return made.object as T;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { types } from 'mediasoup';
import { NotFoundError } from '../common/errors';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { ClusterService } from './cluster.service';

/** One end of a pipe between two nodes: where it listens, and its SRTP key. */
interface PipeEnd {
  readonly transportId: string;
  readonly ip: string;
  readonly port: number;
  readonly srtpParameters: types.SrtpParameters;
}

/** Where a producer is piped to: a router of another node. */
export interface RouterOnNode {
  readonly node: string;
  readonly routerId: string;
}

interface Piped {
  readonly transportId: string;
  readonly producerId: string;
}

/** A producer to make at the far end of a pipe, as the consumer at this end describes it. */
type PipedProducer = Piped & { readonly kind: types.MediaKind; readonly rtpParameters: types.RtpParameters; readonly paused: boolean };

/**
 * Media between nodes, as mediasoup's pipeToRouter between workers, but over
 * the network and always with SRTP: a producer of a router here becomes a
 * producer with the same id on a router of another node, from which that
 * node's participants consume. Each pair of routers shares one pair of
 * PipeTransports, set up over the bus (addresses and keys are passed, never
 * stored). Pausing and closing follow the producer; a node that dies takes
 * its ends with it, and this node closes its own.
 */
@Injectable()
export class NodePipes {
  /** This node's routers that other nodes may pipe into. */
  readonly #routers = new Map<string, types.Router>();
  /** This node's pipe transports: by id (for the other end's calls), and by the pair of routers they join. */
  readonly #transports = new Map<string, types.PipeTransport>();
  readonly #pairs = new Map<string, Promise<types.PipeTransport>>();
  /** Producers piped in from other nodes, by transport and producer id. */
  readonly #piped = new Map<string, types.Producer>();

  constructor(
    private readonly cluster: ClusterService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {
    cluster.answer('pipe.open', (end: PipeEnd & { routerId: string }, from) => this.open(end, from));
    cluster.answer('pipe.produce', (data: PipedProducer) => this.produce(data));
    cluster.answer('pipe.pause', async ({ paused, ...piped }: Piped & { paused: boolean }) => {
      const producer = this.pipedProducer(piped);
      await (paused ? producer.pause() : producer.resume());
    });
    cluster.answer('pipe.close', async (piped: Piped) => this.#piped.get(key(piped))?.close());
  }

  /** Other nodes may pipe into `router` until it closes. */
  expose(router: types.Router): void {
    this.#routers.set(router.id, router);
    router.observer.once('close', () => this.#routers.delete(router.id));
  }

  /**
   * Makes a producer (on `from`, a router here) consumable on `to` under the
   * same id. Returns what closes this pipe again (the producer closing does
   * that too).
   */
  async pipe(producerId: string, from: types.Router, to: RouterOnNode): Promise<() => void> {
    const transport = await this.pairOf(from, to);
    const consumer = await transport.consume({ producerId });
    const piped: Piped = { transportId: this.remoteIdOf(transport), producerId };
    try {
      await this.cluster.call<void>(to.node, 'pipe.produce', {
        ...piped,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
      });
    } catch (error) {
      consumer.close();
      throw error;
    }
    const tell = (method: string, data: object) => void this.cluster.call(to.node, method, { ...piped, ...data }).catch(() => undefined);
    consumer.observer.on('pause', () => tell('pipe.pause', { paused: true }));
    consumer.observer.on('resume', () => tell('pipe.pause', { paused: false }));
    consumer.observer.once('close', () => tell('pipe.close', {}));
    return () => consumer.close();
  }

  /** The pipe transport here that joins `router` to `to`, made (with its other end) on first need. */
  private pairOf(router: types.Router, to: RouterOnNode): Promise<types.PipeTransport> {
    const pairKey = `${router.id} ${to.node} ${to.routerId}`;
    let pair = this.#pairs.get(pairKey);
    if (!pair) {
      pair = this.connectPair(router, to);
      this.#pairs.set(pairKey, pair);
      const forget = () => this.#pairs.get(pairKey) === pair && this.#pairs.delete(pairKey);
      pair.then((transport) => transport.observer.once('close', forget), forget);
    }
    return pair;
  }

  private async connectPair(router: types.Router, to: RouterOnNode): Promise<types.PipeTransport> {
    const transport = await this.listen(router, to.node);
    try {
      const remote = await this.cluster.call<PipeEnd>(to.node, 'pipe.open', { ...this.endOf(transport), routerId: to.routerId });
      await transport.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters });
      transport.appData['remoteId'] = remote.transportId;
      return transport;
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** The other node's end of a pipe: a transport on `routerId`, connected to ours. */
  private async open({ routerId, ip, port, srtpParameters }: PipeEnd & { routerId: string }, from: string): Promise<PipeEnd> {
    const router = this.#routers.get(routerId);
    if (!router) throw new NotFoundError('router');
    const transport = await this.listen(router, from);
    await transport.connect({ ip, port, srtpParameters });
    return this.endOf(transport);
  }

  private async produce({ kind, rtpParameters, paused, ...piped }: PipedProducer): Promise<void> {
    const transport = this.#transports.get(piped.transportId);
    if (!transport) throw new NotFoundError('pipe');
    const producer = await transport.produce({ id: piped.producerId, kind, rtpParameters, paused });
    this.#piped.set(key(piped), producer);
    producer.observer.once('close', () => this.#piped.delete(key(piped)));
  }

  /** A pipe transport on `router` towards `node`, closed when that node is gone. */
  private async listen(router: types.Router, node: string): Promise<types.PipeTransport> {
    const transport = await router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: this.config.rtcListenIp, announcedAddress: this.config.rtcAnnouncedAddress },
      enableSrtp: true,
      enableRtx: true,
    });
    this.#transports.set(transport.id, transport);
    const unwatch = this.cluster.watch(node, () => transport.close());
    transport.observer.once('close', () => {
      this.#transports.delete(transport.id);
      unwatch();
    });
    return transport;
  }

  private endOf(transport: types.PipeTransport): PipeEnd {
    const { localAddress, localIp, localPort } = transport.tuple;
    return { transportId: transport.id, ip: localAddress ?? localIp, port: localPort, srtpParameters: transport.srtpParameters! };
  }

  private remoteIdOf(transport: types.PipeTransport): string {
    return transport.appData['remoteId'] as string;
  }

  private pipedProducer(piped: Piped): types.Producer {
    const producer = this.#piped.get(key(piped));
    if (!producer) throw new NotFoundError('producer');
    return producer;
  }
}

function key({ transportId, producerId }: Piped): string {
  return `${transportId} ${producerId}`;
}

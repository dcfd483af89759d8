import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { PeerInfo } from '@raum/protocol';
import type { Entered, Entrance, Signalling } from './bot';
import { BOT_RTP_CAPABILITIES, SENT } from './werift-peer';

/** The codecs the bots send, as a plain router offers them. */
const CODECS: types.RouterRtpCodecCapability[] = (['audio', 'video'] as const).map((kind) => {
  const { mimeType, clockRate, channels }: { mimeType: string; clockRate: number; channels?: number } = SENT[kind].codec;
  return { kind, mimeType, clockRate, ...(channels ? { channels } : {}) };
});

interface BareRoom {
  readonly router: types.Router;
  readonly peers: BarePeer[];
}

interface BarePeer {
  readonly id: string;
  readonly transports: Map<string, types.WebRtcTransport>;
  receiving?: types.WebRtcTransport;
  readonly producers: types.Producer[];
  readonly consumers: Map<string, types.Consumer>;
}

/**
 * The reference the server is measured against: the same mediasoup worker
 * binary, forwarding the same bots' RTP, with nothing around it. One worker,
 * one WebRtcServer on loopback, a router per room, and the bots' requests
 * answered by direct calls: no Nest, no rooms, no signalling, no limits.
 */
export class BareSfu {
  readonly #rooms = new Map<string, BareRoom>();
  #peers = 0;

  private constructor(
    private readonly worker: types.Worker,
    private readonly webRtcServer: types.WebRtcServer,
  ) {}

  static async start(port: number): Promise<BareSfu> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });
    return new BareSfu(worker, webRtcServer);
  }

  /** The worker's process, for what it costs. */
  get pid(): number {
    return this.worker.pid;
  }

  get entrance(): Entrance {
    return (roomId) => this.enter(roomId);
  }

  close(): void {
    this.worker.close();
  }

  private async enter(roomId: string): Promise<Entered> {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = { router: await this.worker.createRouter({ mediaCodecs: CODECS }), peers: [] };
      this.#rooms.set(roomId, room);
    }
    const peers: PeerInfo[] = room.peers.map(({ id, producers }) => ({
      peerId: id,
      e2ee: false,
      host: false,
      producers: producers.map((producer) => ({
        producerId: producer.id,
        kind: producer.kind,
        source: producer.kind === 'video' ? 'camera' : 'microphone',
        paused: false,
      })),
    }));
    const peer: BarePeer = { id: String(++this.#peers), transports: new Map(), producers: [], consumers: new Map() };
    room.peers.push(peer);
    return { signalling: this.line(roomId, room, peer), peers };
  }

  /** The few requests a bot makes, answered as Raum's protocol would answer them. */
  private line(roomId: string, { router, peers }: BareRoom, peer: BarePeer): Signalling {
    const transport = (id: string) => peer.transports.get(id)!;
    const consumer = (id: string) => peer.consumers.get(id)!;
    const requests: Record<string, (data: any) => Promise<unknown>> = {
      createTransport: async ({ direction }) => {
        const created = await router.createWebRtcTransport({ webRtcServer: this.webRtcServer });
        peer.transports.set(created.id, created);
        if (direction === 'recv') peer.receiving = created;
        const { iceParameters, iceCandidates, dtlsParameters } = created;
        return { transportId: created.id, iceParameters, iceCandidates, dtlsParameters };
      },
      connectTransport: ({ transportId, dtlsParameters }) => transport(transportId).connect({ dtlsParameters }),
      produce: async ({ transportId, kind, rtpParameters }) => {
        const producer = await transport(transportId).produce({ kind, rtpParameters });
        peer.producers.push(producer);
        return { producerId: producer.id };
      },
      setPreferredLayers: ({ consumerId, spatialLayer }) => consumer(consumerId).setPreferredLayers({ spatialLayer }),
      resumeConsumer: ({ consumerId }) => consumer(consumerId).resume(),
    };
    return {
      call: async (method, data) => {
        const request = requests[method];
        if (!request) throw new Error(`the bare SFU does not answer ${method}`);
        return request(data);
      },
      // Made when the bot asks, in-process: there is no signalling to push it over.
      consumer: async (producerId) => {
        const created = await peer.receiving!.consume({
          producerId,
          rtpCapabilities: BOT_RTP_CAPABILITIES as types.RtpCapabilities,
          paused: true,
        });
        peer.consumers.set(created.id, created);
        return { consumerId: created.id, producerId, kind: created.kind, rtpParameters: created.rtpParameters };
      },
      close: async () => {
        for (const created of peer.transports.values()) created.close();
        peers.splice(peers.indexOf(peer), 1);
        if (peers.length > 0) return;
        router.close();
        this.#rooms.delete(roomId);
      },
    };
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MEDIA_CODECS } from './media-codecs';

export interface MediaCensus {
  workers: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

/** One mediasoup worker process and the single RTC port it listens on. */
interface WorkerSlot {
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  routers: number;
}

/**
 * Owns the SFU processes: one mediasoup worker per configured core, each with
 * one WebRtcServer (one UDP and one TCP port) that all its transports share.
 * Hands out routers on the least busy worker.
 */
@Injectable()
export class MediaService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('media');
  private readonly slots: WorkerSlot[] = [];
  private readonly routers = new Set<types.Router>();
  private rtpCapabilities: types.RtpCapabilities | undefined;

  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  async onModuleInit(): Promise<void> {
    // The workers' warnings and errors go through the server's logger (warnings only, addresses redacted).
    mediasoup.setLogEventListeners({
      onwarn: (namespace, log) => this.logger.warn(`${namespace} ${log}`),
      onerror: (namespace, log, error) => this.logger.error(`${namespace} ${log}${error ? `: ${error.message}` : ''}`),
    });
    for (let index = 0; index < this.config.workers; index++) {
      this.slots.push(await this.startWorker(index));
    }
    // Every router has the same codecs, so any one tells the capabilities.
    const probe = await this.slots[0].worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    this.rtpCapabilities = probe.rtpCapabilities;
    probe.close();
  }

  onModuleDestroy(): void {
    for (const { worker } of this.slots.splice(0)) worker.close();
  }

  /** What every router can send and receive; clients load their Device with it. */
  get routerRtpCapabilities(): types.RtpCapabilities {
    if (!this.rtpCapabilities) throw new Error('media workers are not started');
    return this.rtpCapabilities;
  }

  /** A new router on the worker with the fewest routers, with that worker's WebRtcServer. */
  async createRouter(): Promise<{ router: types.Router; webRtcServer: types.WebRtcServer }> {
    const slot = this.slots.reduce((best, candidate) => (candidate.routers < best.routers ? candidate : best));
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    slot.routers++;
    this.routers.add(router);
    router.observer.once('close', () => {
      slot.routers--;
      this.routers.delete(router);
    });
    return { router, webRtcServer: slot.webRtcServer };
  }

  /**
   * What the SFU holds right now, counted from the workers' own dumps (not
   * from our bookkeeping), so a leak shows here.
   */
  async census(): Promise<MediaCensus> {
    const census: MediaCensus = { workers: this.slots.length, routers: 0, transports: 0, producers: 0, consumers: 0 };
    for (const { worker } of this.slots) {
      census.routers += (await worker.dump()).routerIds.length;
    }
    for (const router of this.routers) {
      const dump = await router.dump();
      census.transports += dump.transportIds.length;
      census.producers += dump.mapProducerIdConsumerIds.length;
      census.consumers += dump.mapConsumerIdProducerId.length;
    }
    return census;
  }

  private async startWorker(index: number): Promise<WorkerSlot> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', logTags: [] });
    worker.on('died', (error) => {
      // A dead worker takes its rooms with it; a supervisor restarts the server.
      this.logger.error(`media worker ${index} died: ${error.message}`);
      process.exit(1);
    });
    const { rtcListenIp: ip, rtcAnnouncedAddress: announcedAddress, rtcPort, rtcUdp, rtcTcp } = this.config;
    const port = rtcPort + index;
    const protocols: Array<'udp' | 'tcp'> = [...(rtcUdp ? ['udp' as const] : []), ...(rtcTcp ? ['tcp' as const] : [])];
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: protocols.map((protocol) => ({ protocol, ip, announcedAddress, port })),
    });
    return { worker, webRtcServer, routers: 0 };
  }
}

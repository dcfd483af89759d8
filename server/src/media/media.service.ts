import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { hostAddress, webRtcListenInfos } from './listen-infos';
import { MEDIA_CODECS, WITHHELD_HEADER_EXTENSIONS } from './media-codecs';

export interface MediaCensus {
  workers: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  /** Workers started again after dying, since the server started. */
  workerRestarts: number;
}

/** One mediasoup worker process and the single RTC port it listens on; replaced when it dies. */
interface WorkerSlot {
  readonly index: number;
  worker: types.Worker | undefined;
  webRtcServer: types.WebRtcServer | undefined;
  routers: number;
}

/** How mediasoup reports one request it refused: on the Node side, and where the worker threw. */
const REFUSED_REQUEST = /^(request failed \[method:|.*\| throwing MediaSoup(Type)?Error: )/;

/** Deaths within this window count as "keeps dying". */
const DEATH_WINDOW_MS = 60_000;
/** The first restart is immediate; repeated deaths wait longer each time, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Owns the SFU processes: one mediasoup worker per configured core, each with
 * one WebRtcServer (one UDP and one TCP port, on one or two addresses) that
 * all its transports share.
 * Hands out routers on the least busy live worker. A worker that dies takes
 * only its own routers with it; it is started again, with a growing delay if
 * workers keep dying.
 */
@Injectable()
export class MediaService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('media');
  private readonly slots: WorkerSlot[] = [];
  private readonly routers = new Set<types.Router>();
  private readonly deaths: number[] = [];
  private rtpCapabilities: types.RtpCapabilities | undefined;
  /** Waiting for any worker to be alive again. */
  private revived: Array<() => void> = [];
  private restarts = 0;
  #closing = false;

  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  async onModuleInit(): Promise<void> {
    // The workers' warnings and errors go through the server's logger (warnings only, addresses redacted).
    // A request the worker refused is the signalling's to report (a client mistake is not a server fault).
    mediasoup.setLogEventListeners({
      onwarn: (namespace, log) => !REFUSED_REQUEST.test(log) && this.logger.warn(`${namespace} ${log}`),
      onerror: (namespace, log, error) =>
        !REFUSED_REQUEST.test(log) && this.logger.error(`${namespace} ${log}${error ? `: ${error.message}` : ''}`),
    });
    for (let index = 0; index < this.config.workers; index++) {
      const slot: WorkerSlot = { index, worker: undefined, webRtcServer: undefined, routers: 0 };
      this.slots.push(slot);
      await this.start(slot);
    }
    // Every router has the same codecs, so any one tells the capabilities.
    const probe = await this.slots[0].worker!.createRouter({ mediaCodecs: MEDIA_CODECS });
    const { headerExtensions = [], ...capabilities } = probe.rtpCapabilities;
    this.rtpCapabilities = {
      ...capabilities,
      headerExtensions: headerExtensions.filter(({ uri }) => !WITHHELD_HEADER_EXTENSIONS.includes(uri)),
    };
    probe.close();
  }

  onModuleDestroy(): void {
    this.#closing = true;
    for (const slot of this.slots) slot.worker?.close();
  }

  /** The server is shutting down: no new routers, and dying workers are not replaced. */
  get closing(): boolean {
    return this.#closing;
  }

  /** What every router can send and receive; clients load their Device with it. */
  get routerRtpCapabilities(): types.RtpCapabilities {
    if (!this.rtpCapabilities) throw new Error('media workers are not started');
    return this.rtpCapabilities;
  }

  /** The process ids of the live workers, in slot order (for supervision and tests; never sent to clients). */
  get workerPids(): number[] {
    return this.slots.flatMap(({ worker }) => (worker ? [worker.pid] : []));
  }

  /** A new router on the live worker with the fewest routers, with that worker's WebRtcServer. */
  async createRouter(): Promise<{ router: types.Router; webRtcServer: types.WebRtcServer }> {
    for (;;) {
      if (this.#closing) throw new Error('the media workers are shutting down');
      const live = this.slots.filter((slot) => slot.worker && !slot.worker.closed && slot.webRtcServer);
      if (live.length === 0) {
        await new Promise<void>((resolve) => this.revived.push(resolve));
        continue;
      }
      const slot = live.reduce((best, candidate) => (candidate.routers < best.routers ? candidate : best));
      const { worker, webRtcServer } = slot;
      try {
        const router = await worker!.createRouter({ mediaCodecs: MEDIA_CODECS });
        slot.routers++;
        this.routers.add(router);
        router.observer.once('close', () => {
          slot.routers--;
          this.routers.delete(router);
        });
        return { router, webRtcServer: webRtcServer! };
      } catch (error) {
        // The worker died (its routers learn that before the service does): try the next live one.
        if (!worker!.closed) throw error;
      }
    }
  }

  /**
   * What the SFU holds right now, counted from the workers' own dumps (not
   * from our bookkeeping), so a leak shows here.
   */
  async census(): Promise<MediaCensus> {
    const live = this.slots.flatMap(({ worker }) => (worker ? [worker] : []));
    const census: MediaCensus = {
      workers: live.length,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
      workerRestarts: this.restarts,
    };
    for (const worker of live) {
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

  private async start(slot: WorkerSlot): Promise<void> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', logTags: [] });
    worker.on('died', () => this.died(slot, worker));
    const port = this.config.rtcPort + slot.index;
    // Looked up at every start, so a worker started again after a network change takes the current address.
    const extra = this.config.rtcHostAddress ? hostAddress() : undefined;
    try {
      slot.webRtcServer = await worker.createWebRtcServer({ listenInfos: webRtcListenInfos(this.config, port, extra) });
    } catch (error) {
      if (!extra) throw error;
      // Chromium still connects over loopback; only Firefox on this host cannot.
      this.logger.warn(
        `the SFU listens on loopback only (Firefox on this host cannot connect): ${error instanceof Error ? error.message : String(error)}`,
      );
      slot.webRtcServer = await worker.createWebRtcServer({ listenInfos: webRtcListenInfos(this.config, port) });
    }
    slot.worker = worker;
    for (const resolve of this.revived.splice(0)) resolve();
  }

  /** Only this worker's rooms are affected (they move, see RoomsService); the worker is started again. */
  private died(slot: WorkerSlot, worker: types.Worker): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.webRtcServer = undefined;
    if (this.#closing) return;
    const now = Date.now();
    this.deaths.push(now);
    while (this.deaths[0] < now - DEATH_WINDOW_MS) this.deaths.shift();
    // 0 s for a single death, then 1, 2, 4 ... s while workers keep dying.
    const delay = this.deaths.length <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (this.deaths.length - 2));
    this.logger.warn(
      delay === 0
        ? `media worker ${slot.index} died; starting it again`
        : `media workers keep dying (${this.deaths.length} in the last minute); starting worker ${slot.index} again in ${delay / 1000} s`,
    );
    setTimeout(() => void this.restart(slot), delay).unref();
  }

  private async restart(slot: WorkerSlot): Promise<void> {
    if (this.#closing) return;
    try {
      await this.start(slot);
      this.restarts++;
    } catch (error) {
      this.logger.error(`media worker ${slot.index} could not be started again: ${error instanceof Error ? error.message : String(error)}`);
      setTimeout(() => void this.restart(slot), MAX_RESTART_DELAY_MS).unref();
    }
  }
}

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
  /** Consumers on its routers, pipe consumers included: each is a stream it forwards. */
  consumers: number;
  /** Its share of one core over the last sample, from the worker's own resource usage. */
  cpu: number;
  lastUsage: { at: number; busyMs: number } | undefined;
}

/** A router and where its transports listen, on one worker (`worker`: the slot index). */
export interface Placement {
  readonly router: types.Router;
  readonly webRtcServer: types.WebRtcServer;
  readonly worker: number;
}

/** One live worker as the operator's metrics show it (its index, never its pid). */
export interface WorkerLoad {
  readonly worker: number;
  readonly cpu: number;
  readonly consumers: number;
  readonly routers: number;
  /** The higher of its CPU and its consumers against RAUM_WORKER_CONSUMERS (see load()). */
  readonly load: number;
}

/** How often each worker's CPU is sampled. */
const LOAD_SAMPLE_MS = 2000;
/** Loads closer than this count as equal; then the worker with fewer routers is chosen. */
const LOAD_TIE = 0.05;

/** How mediasoup reports one request it refused: on the Node side, and where the worker threw. */
const REFUSED_REQUEST = /^(request failed \[method:|.*\| throwing MediaSoup\w*Error: )/;

/** Deaths within this window count as "keeps dying". */
const DEATH_WINDOW_MS = 60_000;
/** The first restart is immediate; repeated deaths wait longer each time, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Owns the SFU processes: one mediasoup worker per configured core, each with
 * one WebRtcServer (one UDP and one TCP port, on one or two addresses) that
 * all its transports share.
 * Hands out routers on the live worker with the lowest measured load: its
 * CPU (from the worker's resource usage) or its consumers against what one
 * core carries, whichever is higher. A worker that dies takes only its own
 * routers with it; it is started again, with a growing delay if workers keep
 * dying.
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
  /** Pipe transports between routers (of rooms that span workers), open now. */
  #pipeTransports = 0;
  #sampler: ReturnType<typeof setInterval> | undefined;

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
      const slot: WorkerSlot = {
        index,
        worker: undefined,
        webRtcServer: undefined,
        routers: 0,
        consumers: 0,
        cpu: 0,
        lastUsage: undefined,
      };
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
    this.#sampler = setInterval(() => void this.sampleCpu(), LOAD_SAMPLE_MS).unref();
  }

  onModuleDestroy(): void {
    this.#closing = true;
    clearInterval(this.#sampler);
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

  /** Each live worker's load (0 idle, 1 a full core or as many consumers as it should carry) and what it comes from. */
  get workerLoads(): WorkerLoad[] {
    return this.live().map((slot) => ({
      worker: slot.index,
      cpu: slot.cpu,
      consumers: slot.consumers,
      routers: slot.routers,
      load: this.load(slot),
    }));
  }

  get pipeTransports(): number {
    return this.#pipeTransports;
  }

  /** Whether the worker of a placement is loaded past the configured limit. */
  overloaded({ worker }: Placement): boolean {
    const slot = this.slots[worker];
    return !slot.worker || this.load(slot) >= this.config.limits.workerLoadLimit;
  }

  /** The live worker with the lowest load (of equal loads, the one with fewer routers); undefined while none lives. */
  leastLoaded(): number | undefined {
    const live = this.live();
    if (live.length === 0) return undefined;
    return live.reduce((best, candidate) => {
      const difference = this.load(candidate) - this.load(best);
      return difference < -LOAD_TIE || (Math.abs(difference) <= LOAD_TIE && candidate.routers < best.routers) ? candidate : best;
    }).index;
  }

  /** A new router, with its worker's WebRtcServer: on worker `on` (an error if it is not running), else on the least loaded. */
  async createRouter(on?: number): Promise<Placement> {
    for (;;) {
      if (this.#closing) throw new Error('the media workers are shutting down');
      if (on !== undefined && !this.live().some((slot) => slot.index === on)) throw new Error('that media worker is not running');
      const index = on ?? this.leastLoaded();
      if (index === undefined) {
        await new Promise<void>((resolve) => this.revived.push(resolve));
        continue;
      }
      const slot = this.slots[index];
      const { worker, webRtcServer } = slot;
      try {
        const router = await worker!.createRouter({ mediaCodecs: MEDIA_CODECS });
        this.track(slot, router);
        return { router, webRtcServer: webRtcServer!, worker: index };
      } catch (error) {
        // The worker died (its routers learn that before the service does): try the next live one.
        if (!worker!.closed || on !== undefined) throw error;
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

  private live(): WorkerSlot[] {
    return this.slots.filter((slot) => slot.worker && !slot.worker.closed && slot.webRtcServer);
  }

  private load(slot: WorkerSlot): number {
    return Math.max(slot.cpu, slot.consumers / this.config.limits.workerConsumers);
  }

  /** Counts the router and every consumer on it (pipes included) against its worker, until each closes. */
  private track(slot: WorkerSlot, router: types.Router): void {
    slot.routers++;
    this.routers.add(router);
    router.observer.on('newtransport', (transport) => {
      transport.observer.on('newconsumer', (consumer) => {
        slot.consumers++;
        consumer.observer.once('close', () => slot.consumers--);
      });
      if (transport.type !== 'pipe') return;
      this.#pipeTransports++;
      transport.observer.once('close', () => this.#pipeTransports--);
    });
    router.observer.once('close', () => {
      slot.routers--;
      this.routers.delete(router);
    });
  }

  /** Each worker's share of a core since the last sample, from the worker's own user and system time. */
  private async sampleCpu(): Promise<void> {
    for (const slot of this.live()) {
      try {
        const usage = await slot.worker!.getResourceUsage();
        const sample = { at: Date.now(), busyMs: usage.ru_utime + usage.ru_stime };
        const last = slot.lastUsage;
        if (last && sample.at > last.at) slot.cpu = Math.max(0, (sample.busyMs - last.busyMs) / (sample.at - last.at));
        slot.lastUsage = sample;
      } catch {
        // It died meanwhile; its replacement starts measuring afresh.
      }
    }
  }

  private async start(slot: WorkerSlot): Promise<void> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', logTags: [] });
    // Started again while the server was shutting down: it would keep the process alive.
    if (this.#closing) {
      worker.close();
      return;
    }
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
    // Its consumers and routers counted down as the old worker's closed; its CPU is measured afresh.
    Object.assign(slot, { cpu: 0, lastUsage: undefined });
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

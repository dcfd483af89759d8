import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { SESSION_EVENTS } from '../signalling/session';
import { ServerCounts, type Counts } from './server-counts';

/** What each gauge shows, from the counts. */
const GAUGES: Array<[name: string, help: string, value: (counts: Counts) => number]> = [
  ['raum_rooms', 'Meetings with someone in them', (counts) => counts.rooms],
  ['raum_peers', 'Participants in meetings', (counts) => counts.peers],
  ['raum_sockets', 'Open WebSocket connections', (counts) => counts.sockets],
  ['raum_sessions', 'Signalling sessions, in a meeting or not, resumable or not', (counts) => counts.sessions],
  ['raum_relayed_out_sockets', 'Sockets here whose meeting is at home on another node (cluster mode)', (counts) => counts.relayedOut],
  ['raum_relayed_in_sockets', 'Sockets of other nodes whose meeting is at home here (cluster mode)', (counts) => counts.relayedIn],
  ['raum_media_workers', 'Live mediasoup workers', (counts) => counts.workers],
  ['raum_routers', 'mediasoup routers (a meeting has one per worker it spans)', (counts) => counts.routers],
  ['raum_transports', 'mediasoup transports, pipes between routers included', (counts) => counts.transports],
  ['raum_producers', 'Streams sent to the SFU', (counts) => counts.producers],
  ['raum_consumers', 'Streams the SFU forwards, pipe consumers included', (counts) => counts.consumers],
];

/**
 * Prometheus metrics for the operator, opt-in (RAUM_METRICS_PORT), served on
 * 127.0.0.1 only and never through the public port. Every value is an
 * aggregate count or a worker's load by worker number: no room, no person,
 * no address.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('metrics');
  readonly #registry = new Registry();
  #server: Server | undefined;

  constructor(
    private readonly counts: ServerCounts,
    private readonly media: MediaService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  /** The port metrics are served on (when RAUM_METRICS_PORT is 0, the one the system chose). */
  get port(): number | undefined {
    return (this.#server?.address() as AddressInfo | null)?.port;
  }

  async onModuleInit(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    this.define();
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.#registry.metrics().then(
        (text) => response.writeHead(200, { 'Content-Type': this.#registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, '127.0.0.1', () => resolve());
    });
    server.on('error', (error) => this.logger.warn(`metrics: ${error.name}`));
    this.#server = server;
  }

  async onModuleDestroy(): Promise<void> {
    await new Promise((resolve) => (this.#server ? this.#server.close(resolve) : resolve(undefined)));
  }

  private define(): void {
    const registers = [this.#registry];
    const { counts, media } = this;
    // The process's own CPU, memory and event loop: what a peer costs shows here.
    collectDefaultMetrics({ register: this.#registry, prefix: 'raum_' });
    for (const [name, help, value] of GAUGES) {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(value(await counts.counts()));
        },
      });
    }
    new Gauge({
      name: 'raum_pipe_transports',
      help: 'Pipe transports between the routers of meetings that span workers',
      registers,
      collect() {
        this.set(media.pipeTransports);
      },
    });
    for (const [name, help, field] of [
      ['raum_worker_load_ratio', 'A worker’s load: the higher of its CPU and its consumers against RAUM_WORKER_CONSUMERS', 'load'],
      ['raum_worker_cpu_ratio', 'A worker’s share of one core over the last sample', 'cpu'],
      ['raum_worker_consumers', 'Streams a worker forwards', 'consumers'],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['worker'],
        registers,
        collect() {
          this.reset();
          for (const worker of media.workerLoads) this.set({ worker: String(worker.worker) }, worker[field]);
        },
      });
    }
    new Counter({
      name: 'raum_worker_restarts_total',
      help: 'Media workers started again after dying',
      registers,
      async collect() {
        this.reset();
        this.inc((await counts.counts()).workerRestarts);
      },
    });
    new Counter({
      name: 'raum_session_events_total',
      help: 'What ended or saved sessions: silent sockets, resumes (reconnects), failed resumes, expired graces, kicks',
      labelNames: ['event'],
      registers,
      async collect() {
        this.reset();
        const { sessionEvents } = await counts.counts();
        for (const event of SESSION_EVENTS) this.inc({ event }, sessionEvents[event]);
      },
    });
  }
}

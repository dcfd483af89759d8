import { signal } from '@angular/core';
import type { Participant } from './call-types';

/** How often the tiles' connection quality is measured. */
const INTERVAL_MS = 2000;

/** How a remote person's streams arrive here, from the browser's own getStats; nothing of it leaves the browser. */
export interface Arrival {
  /** Packets lost, as a share of those expected over the last interval (0–1). */
  readonly loss: number;
  /** Audio jitter in seconds, if their microphone is received. */
  readonly jitter: number | undefined;
  /** Video frames decoded per second, if their camera is received and on. */
  readonly fps: number | undefined;
}

export type Quality = 'good' | 'fair' | 'poor';

export interface Measured {
  readonly quality: Quality;
  readonly arrival: Arrival;
}

/** Running totals of one inbound stream, to take differences between two readings. */
interface Totals {
  readonly received: number;
  readonly lost: number;
}

/**
 * Judges a connection the way people notice it: a few percent of packets
 * lost already makes speech choppy, jitter past a few tens of milliseconds
 * makes it lag, and a picture under ten frames a second stutters.
 */
export function judge({ loss, jitter, fps }: Arrival): Quality {
  if (loss > 0.08 || (jitter ?? 0) > 0.1 || (fps !== undefined && fps < 5)) return 'poor';
  if (loss > 0.02 || (jitter ?? 0) > 0.04 || (fps !== undefined && fps < 12)) return 'fair';
  return 'good';
}

/** Reads the inbound streams of one person from their consumers' stats, against the previous reading. */
export class QualityMeter {
  #previous = new Map<string, Totals>();

  measure(reports: readonly RTCStatsReport[]): Measured {
    const now = new Map<string, Totals>();
    let received = 0;
    let lost = 0;
    let jitter: number | undefined;
    let fps: number | undefined;
    for (const report of reports) {
      report.forEach((stats: Record<string, unknown>) => {
        if (stats['type'] !== 'inbound-rtp') return;
        const totals = { received: Number(stats['packetsReceived'] ?? 0), lost: Math.max(0, Number(stats['packetsLost'] ?? 0)) };
        const before = this.#previous.get(String(stats['id'])) ?? { received: 0, lost: 0 };
        now.set(String(stats['id']), totals);
        received += totals.received - before.received;
        lost += totals.lost - before.lost;
        if (stats['kind'] === 'audio' && typeof stats['jitter'] === 'number') jitter = stats['jitter'];
        if (stats['kind'] === 'video' && typeof stats['framesPerSecond'] === 'number') fps = stats['framesPerSecond'];
      });
    }
    this.#previous = now;
    const arrival = { loss: received + lost > 0 ? lost / (received + lost) : 0, jitter, fps };
    return { quality: judge(arrival), arrival };
  }
}

/** Each remote person's connection quality while a call is under way, measured every two seconds. */
export class ConnectionQuality {
  readonly #measured = signal<ReadonlyMap<string, Measured>>(new Map());
  readonly measured = this.#measured.asReadonly();

  constructor(private readonly participants: () => readonly Participant[]) {}

  /** Starts measuring; returns the function that stops it. */
  start(): () => void {
    const meters = new Map<string, QualityMeter>();
    const timer = setInterval(async () => {
      const next = new Map<string, Measured>();
      for (const { peerId, camera, microphone } of this.participants()) {
        const streams = [camera, microphone].filter((media) => media !== undefined && !media.paused);
        const reports = await Promise.all(streams.map((media) => media!.stats().catch(() => undefined)));
        const meter = meters.get(peerId) ?? new QualityMeter();
        meters.set(peerId, meter);
        next.set(peerId, meter.measure(reports.filter((report) => report !== undefined)));
      }
      this.#measured.set(next);
    }, INTERVAL_MS);
    return () => {
      clearInterval(timer);
      this.#measured.set(new Map());
    };
  }
}

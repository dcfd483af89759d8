import { randomBytes } from 'node:crypto';
import { Publisher, Subscriber, type Entrance } from './bot';
import { quantile } from '../bench/figures';
import type { StreamFigures } from './reception';

export interface LoadShape {
  readonly rooms: number;
  readonly publishers: number;
  readonly subscribers: number;
  /** How long the media flows once everyone is in. */
  readonly seconds: number;
  /** The simulcast layer subscribers ask for: 0 (smallest) to 2. */
  readonly spatialLayer: number;
  /** Whether subscribers take the audio too, or only the video (to find what video alone costs). */
  readonly audio: boolean;
}

/**
 * `shape`, with each field taken from the environment where set: `${prefix}_ROOMS`,
 * `_PUBLISHERS`, `_SUBSCRIBERS`, `_SECONDS`, `_LAYER` and `_AUDIO` (1 or 0).
 */
export function shapeFromEnv(prefix: string, shape: LoadShape): LoadShape {
  const setting = (name: string, fallback: number) => Number(process.env[`${prefix}_${name}`] ?? fallback);
  return {
    rooms: setting('ROOMS', shape.rooms),
    publishers: setting('PUBLISHERS', shape.publishers),
    subscribers: setting('SUBSCRIBERS', shape.subscribers),
    seconds: setting('SECONDS', shape.seconds),
    spatialLayer: setting('LAYER', shape.spatialLayer),
    audio: setting('AUDIO', shape.audio ? 1 : 0) === 1,
  };
}

export interface LoadReport {
  readonly shape: LoadShape;
  /** Streams the subscribers received (one consumer each at the SFU). */
  readonly streams: readonly StreamFigures[];
  readonly sent: { video: number; audio: number };
  /** Packets the subscribers received, over all their streams. */
  readonly received: { video: number; audio: number };
  /** Lost against expected, over every stream of that kind. */
  readonly lossPercent: { video: number; audio: number };
  readonly jitterMedianMs: { video: number; audio: number };
  /** Streams a subscriber should have received and did not (not a single packet). */
  readonly silent: number;
  /** CPU time of this process (the bots) per second of media, as a share of one core. */
  readonly botCpuPercent: number;
}

/**
 * Rooms × publishers × subscribers against an SFU (`enter`): the
 * publishers join and send first, then the subscribers join and receive
 * everything; after `seconds` of media everyone leaves. `media` hears
 * when that window starts and ends, for whoever measures the server meanwhile.
 */
export async function runLoad(shape: LoadShape, enter: Entrance, media: { started?(): void; ended?(): void } = {}): Promise<LoadReport> {
  const publishers: Publisher[] = [];
  const subscribers: Subscriber[] = [];
  let seat = 0;
  const seatIn = (roomId: string) => enter(roomId, seat++);
  try {
    const roomIds = Array.from({ length: shape.rooms }, () => randomBytes(16).toString('base64url'));
    for (const roomId of roomIds) {
      for (let index = 0; index < shape.publishers; index++) publishers.push(await Publisher.join(await seatIn(roomId)));
    }
    for (const roomId of roomIds) {
      for (let index = 0; index < shape.subscribers; index++) subscribers.push(await Subscriber.join(await seatIn(roomId), shape));
    }
    const cpuBefore = process.cpuUsage();
    const before = performance.now();
    media.started?.();
    await new Promise((resolve) => setTimeout(resolve, shape.seconds * 1000));
    media.ended?.();
    const cpu = process.cpuUsage(cpuBefore);
    const elapsedS = (performance.now() - before) / 1000;
    const streams = subscribers.flatMap((subscriber) => subscriber.figures);
    const of = (kind: 'audio' | 'video') => streams.filter((stream) => stream.kind === kind);
    const total = (kind: 'audio' | 'video', field: 'lost' | 'received') => of(kind).reduce((sum, stream) => sum + stream[field], 0);
    const loss = (kind: 'audio' | 'video') => {
      const [lost, received] = [total(kind, 'lost'), total(kind, 'received')];
      return lost + received === 0 ? 0 : (100 * lost) / (lost + received);
    };
    const expected = shape.rooms * shape.subscribers * shape.publishers * (shape.audio ? 2 : 1);
    return {
      shape,
      streams,
      sent: publishers.reduce((sum, { sent }) => ({ video: sum.video + sent.video, audio: sum.audio + sent.audio }), {
        video: 0,
        audio: 0,
      }),
      received: { video: total('video', 'received'), audio: total('audio', 'received') },
      lossPercent: { video: loss('video'), audio: loss('audio') },
      jitterMedianMs: {
        video: quantile(
          of('video').map((stream) => stream.jitterMs),
          0.5,
        ),
        audio: quantile(
          of('audio').map((stream) => stream.jitterMs),
          0.5,
        ),
      },
      silent: expected - streams.filter((stream) => stream.received > 0).length,
      botCpuPercent: (100 * (cpu.user + cpu.system)) / 1e6 / elapsedS,
    };
  } finally {
    await Promise.all([...publishers, ...subscribers].map((bot) => bot.leave()));
  }
}

/** The report as lines for a person. */
export function describeLoad(report: LoadReport): string[] {
  const { shape } = report;
  const percent = (value: number) => `${value.toFixed(2)} %`;
  return [
    `${shape.rooms} rooms × ${shape.publishers} publishers × ${shape.subscribers} subscribers, ${shape.seconds} s of media, subscribers on layer ${shape.spatialLayer}${shape.audio ? '' : ', video only'}`,
    `streams received: ${report.streams.length} (${report.silent} expected and silent)`,
    `packets sent: ${report.sent.video} video, ${report.sent.audio} audio; received: ${report.received.video} video, ${report.received.audio} audio`,
    `loss: video ${percent(report.lossPercent.video)}, audio ${percent(report.lossPercent.audio)}`,
    `jitter, median over streams: video ${report.jitterMedianMs.video.toFixed(1)} ms${shape.audio ? `, audio ${report.jitterMedianMs.audio.toFixed(1)} ms` : ''}`,
    `the bots' own CPU: ${report.botCpuPercent.toFixed(0)} % of one core`,
  ];
}

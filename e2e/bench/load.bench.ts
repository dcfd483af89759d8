import { loadavg } from 'node:os';
import { test } from '@playwright/test';
import { CLOSE_CODES } from '@raum/protocol';
import { TestClient } from '../../server/src/testing/test-client';
import { loopbackAddress } from '../support/loopback';
import { inboundStreams, join, newRoomLink, remoteTiles, until, type Participant } from '../support/participants';
import { quantile } from './figures';
import { collectGarbage, countsOf, cpuTimeOf, memoryOf, mib, startBenchServer, type BenchServer } from './raum-server';

const IDLE_SOCKETS = Number(process.env.RAUM_LOAD_SOCKETS ?? 2000);
/** Measurement windows per phase; the phases alternate, so that neither always meets a calmer machine. */
const WINDOWS = Number(process.env.RAUM_BENCH_RUNS ?? 5);
const WINDOW_MS = Number(process.env.RAUM_BENCH_SECONDS ?? 30) * 1000;
/**
 * The server's default, kept: a socket that has not joined is closed after
 * this long, and the idle sockets come back at once, as someone who wants to
 * hold them open must. The figures are then what an operator's server pays.
 */
const JOIN_TIMEOUT_S = 30;
/** What the protocol asks of a client; the server drops one silent for 5 s. */
const PING_MS = 2000;
/** Reopening once per join timeout, 20 sockets from one address stay under its 1 new connection per second. */
const SOCKETS_PER_ADDRESS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * WebSocket connections that never join: each pings every 2 s and, when the
 * server closes it for not joining, connects again from the same address.
 */
class IdleSockets {
  readonly #open = new Set<TestClient>();
  readonly #pending = new Set<Promise<unknown>>();
  #stopped = true;
  reopened = 0;
  refused = 0;

  constructor(private readonly url: string) {}

  /** Opens them evenly over one join timeout, so that their reopening stays spread out too. */
  async open(count: number, overMs: number): Promise<void> {
    this.#stopped = false;
    this.reopened = this.refused = 0;
    const start = Date.now();
    for (let index = 0; index < count; index++) {
      await sleep(start + (index * overMs) / count - Date.now());
      this.hold(loopbackAddress(index, SOCKETS_PER_ADDRESS));
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    await Promise.all([...this.#open].map((client) => client.close()));
  }

  private hold(localAddress: string): void {
    if (this.#stopped) return;
    const attempt = TestClient.connect(this.url, { localAddress, silent: true }).then(
      async (client) => {
        if (this.#stopped) return client.close();
        this.#open.add(client);
        const pinger = setInterval(() => client.ping(), PING_MS);
        void client.closed.then(({ code }) => {
          clearInterval(pinger);
          this.#open.delete(client);
          if (code !== CLOSE_CODES.idle) return;
          this.reopened++;
          this.hold(localAddress);
        });
      },
      async () => {
        this.refused++;
        await sleep(1000);
        this.hold(localAddress);
      },
    );
    this.#pending.add(attempt);
    void attempt.finally(() => this.#pending.delete(attempt));
  }
}

/** Video frames decoded so far for each remote tile on each page (by the track it shows), and when each page was read. */
async function decodedFrames(people: Participant[]): Promise<Map<string, { frames: number; at: number }>> {
  const readings = await Promise.all(
    people.map(async ({ page }) => {
      const [tiles, streams] = await Promise.all([remoteTiles(page), inboundStreams(page)]);
      return { tiles, streams, at: performance.now() };
    }),
  );
  const frames = new Map<string, { frames: number; at: number }>();
  for (const { tiles, streams, at } of readings) {
    for (const { videoTrackId } of tiles) {
      // Only what a tile shows: mediasoup-client's bandwidth probe is an inbound stream too, and decodes nothing.
      const stream = streams.find((candidate) => candidate.kind === 'video' && candidate.trackIdentifier === videoTrackId);
      if (stream) frames.set(stream.trackIdentifier, { frames: stream.framesDecoded, at });
    }
  }
  return frames;
}

interface Measurement {
  /** CPU time over the window, in % of one core. */
  serverCpu: number;
  workerCpu: number;
  benchCpu: number;
  /** Memory at the window's end, as read; then after a full garbage collection in the server. */
  serverRss: number;
  serverRssCollected: number;
  heapCollected: number;
  workerRss: number;
  /** Decoded video frames per second of each remote tile on each page. */
  fps: number[];
  sockets: number;
  reopenedPerSecond: number;
}

/** CPU time used so far, in seconds: the server's, its workers', and this process's (which runs the idle sockets). */
function cpuTimes(raum: BenchServer): { server: number; workers: number; bench: number } {
  const { user, system } = process.cpuUsage();
  return { ...cpuTimeOf(raum), bench: (user + system) / 1e6 };
}

async function measure(raum: BenchServer, people: Participant[], idle: IdleSockets): Promise<Measurement> {
  const framesBefore = await decodedFrames(people);
  const before = { cpu: cpuTimes(raum), reopened: idle.reopened, at: performance.now() };
  await sleep(WINDOW_MS);
  const after = { cpu: cpuTimes(raum), reopened: idle.reopened, at: performance.now() };
  const framesAfter = await decodedFrames(people);
  const fps = [...framesAfter].flatMap(([track, { frames, at }]) => {
    const start = framesBefore.get(track);
    return start ? [((frames - start.frames) * 1000) / (at - start.at)] : [];
  });
  const seconds = (after.at - before.at) / 1000;
  const percent = (key: keyof typeof before.cpu) => ((after.cpu[key] - before.cpu[key]) / seconds) * 100;
  const memory = memoryOf(raum);
  // After the CPU window: the collection's own work is not counted.
  const heapCollected = await collectGarbage(raum);
  // V8 hands freed pages back to the system shortly after a collection, not during it.
  await sleep(1000);
  return {
    serverCpu: percent('server'),
    workerCpu: percent('workers'),
    benchCpu: percent('bench'),
    serverRss: memory.server,
    serverRssCollected: memoryOf(raum).server,
    heapCollected,
    workerRss: memory.workers,
    fps,
    sockets: (await countsOf(raum)).sockets,
    reopenedPerSecond: (after.reopened - before.reopened) / seconds,
  };
}

test('2,000 sockets that never join, next to a 3-person call: what they cost the server and the call', async ({ browser }) => {
  const raum = await startBenchServer({ RAUM_JOIN_TIMEOUT_S: String(JOIN_TIMEOUT_S) }, { inspector: true });
  const idle = new IdleSockets(`${raum.url.replace(/^http/, 'ws')}/ws`);
  const people: Participant[] = [];
  try {
    const link = newRoomLink();
    for (const name of ['Ada', 'Ben', 'Cem']) people.push(await join(browser, link, name, { origin: raum.url }));
    await until(
      () => decodedFrames(people),
      (frames) => frames.size === people.length * (people.length - 1) && [...frames.values()].every(({ frames }) => frames > 0),
      'everyone decodes both others',
      30_000,
    );
    const phases = { alone: [] as Measurement[], loaded: [] as Measurement[] };
    let refused = 0;
    for (let round = 0; round < WINDOWS; round++) {
      phases.alone.push(await measure(raum, people, idle));
      // Not measured while they open: the window starts once all of them are held and the oldest are due to come back.
      await idle.open(IDLE_SOCKETS, JOIN_TIMEOUT_S * 1000);
      phases.loaded.push(await measure(raum, people, idle));
      refused += idle.refused;
      await idle.close();
      await until(
        () => countsOf(raum),
        ({ sockets }) => sockets === people.length,
        'the idle sockets are gone',
        30_000,
      );
    }

    const median = (windows: Measurement[], read: (window: Measurement) => number) => quantile(windows.map(read), 0.5);
    const percent = (value: number) => `${value.toFixed(1)} %`;
    const fps = (value: number) => `${value.toFixed(1)} fps`;
    const whole = (value: number) => value.toFixed(0);
    // Label, what to read from a window, its format, and whether a ratio of the phases means something.
    const rows: Array<[string, (window: Measurement) => number, (value: number) => string, boolean]> = [
      ['server CPU (Node), % of one core', (window) => window.serverCpu, percent, true],
      ['media worker CPU, % of one core', (window) => window.workerCpu, percent, true],
      ['this bench (the idle clients), % of one core', (window) => window.benchCpu, percent, true],
      ['server RSS (Node), as read', (window) => window.serverRss, mib, true],
      ['server RSS (Node), after a full GC', (window) => window.serverRssCollected, mib, true],
      ['server JavaScript heap, after a full GC', (window) => window.heapCollected, mib, true],
      ['media worker RSS', (window) => window.workerRss, mib, true],
      ['decoded video per tile, median tile', (window) => quantile(window.fps, 0.5), fps, true],
      ['decoded video per tile, lowest tile', (window) => Math.min(...window.fps), fps, true],
      ['sockets open at the window’s end', (window) => window.sockets, whole, false],
      ['reconnections per second (join timeout)', (window) => window.reopenedPerSecond, (value) => value.toFixed(1), false],
    ];
    const count = IDLE_SOCKETS.toLocaleString('en');
    const header = ['call alone', `call + ${count} idle sockets`];
    const widths = [Math.max(...rows.map(([label]) => label.length)), ...header.map((title) => title.length)].map((width) => width + 3);
    const row = (cells: string[]) => `  ${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('')}`.trimEnd();
    const perSocket = (read: (window: Measurement) => number) =>
      `${((median(phases.loaded, read) - median(phases.alone, read)) / IDLE_SOCKETS / 1024).toFixed(1)} KiB`;
    const load = loadavg()
      .map((average) => average.toFixed(1))
      .join(' ');
    const lines = [
      `${count} WebSocket connections that never join, next to a 3-person call (end-to-end encrypted, fake cameras, loopback, one machine).`,
      `Each idle socket pings every ${PING_MS / 1000} s; the server closes it after its join timeout (${JOIN_TIMEOUT_S} s, the default) and it connects again at once,`,
      `from ${Math.ceil(IDLE_SOCKETS / SOCKETS_PER_ADDRESS)} local addresses. Medians of ${WINDOWS} windows of ${WINDOW_MS / 1000} s per phase, the phases alternating:`,
      row(['', ...header, 'ratio']),
      ...rows.map(([label, read, format, compared]) => {
        const [alone, loaded] = [median(phases.alone, read), median(phases.loaded, read)];
        return row([label, format(alone), format(loaded), compared && alone > 0 ? (loaded / alone).toFixed(2) : '']);
      }),
      `  per idle socket, after a full GC: ${perSocket((window) => window.serverRssCollected)} of RSS, ${perSocket((window) => window.heapCollected)} of JavaScript heap`,
      `  upgrades refused (and retried a second later): ${refused}; machine load average at the end: ${load}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await idle.close();
    for (const person of people) await person.context.close();
    await raum.stop();
  }
});

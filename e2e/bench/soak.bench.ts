import { test } from '@playwright/test';
import { PROTOCOL_VERSION } from '@raum/protocol';
import { randomBytes } from 'node:crypto';
import { audioRtpParameters, videoRtpParameters } from '../../server/src/testing/media-fixtures';
import { TestClient } from '../../server/src/testing/test-client';
import { until } from '../support/participants';
import { summary } from './figures';
import { collectGarbage, countsOf, memoryOf, mib, startBenchServer, type BenchServer, type Counts } from './raum-server';

const CYCLES = Number(process.env.RAUM_SOAK_CYCLES ?? 1000);
const WARM_UP_CYCLES = 20;
const PEOPLE = 3;
/** Short, so that the sessions of people who vanished end soon after the server gives their silent sockets up. */
const GRACE_S = 1;
/** A little longer than /health keeps its counts. */
const HEALTH_CACHE_MS = 1100;
/** Heartbeat timeout (5 s) plus grace, with room to spare on a busy machine. */
const SETTLE_MS = 30_000;
/** Every way a person can go, taken by one person after the other: each path gets a quarter of the people. */
const EXITS = ['leave', 'close', 'drop', 'vanish'] as const;

let connections = 0;
/** Each 127.x address is a client of its own to the server's per-address connection rate. */
const nextAddress = () => `127.0.2.${(connections++ % 250) + 1}`;

/** Joins as a browser does: capabilities, join, both transports, camera and microphone. Returns its producers. */
async function enter(client: TestClient, roomId: string): Promise<string[]> {
  const { routerRtpCapabilities } = await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
  await client.call('join', { roomId, rtpCapabilities: routerRtpCapabilities, e2ee: true });
  const producerIds: string[] = [];
  for (const direction of ['send', 'recv'] as const) {
    const { transportId, dtlsParameters } = await client.call('createTransport', { direction });
    // No DTLS handshake follows (no media is sent): any well-formed fingerprint will do.
    await client.call('connectTransport', { transportId, dtlsParameters: { role: 'client', fingerprints: dtlsParameters.fingerprints } });
    if (direction === 'recv') continue;
    for (const [kind, source, rtpParameters] of [
      ['video', 'camera', videoRtpParameters()],
      ['audio', 'microphone', audioRtpParameters()],
    ] as const) {
      producerIds.push((await client.call('produce', { transportId, kind, source, rtpParameters: rtpParameters as never })).producerId);
    }
  }
  return producerIds;
}

async function exit(client: TestClient, how: (typeof EXITS)[number], vanished: TestClient[]): Promise<void> {
  if (how === 'leave') await client.call('leave', {});
  if (how === 'leave' || how === 'close') return client.close();
  // Without a closing handshake: the server keeps the session for a resume until the grace period ends.
  if (how === 'drop') return void client.socket.terminate();
  // Not a word more, and the connection stays up: only the server's heartbeat can tell.
  client.vanish();
  vanished.push(client);
}

/** One meeting: everyone joins, sends, receives everyone else, and goes. */
async function cycle(raum: BenchServer, number: number, vanished: TestClient[]): Promise<void> {
  const roomId = randomBytes(16).toString('base64url');
  const wsUrl = `${raum.url.replace(/^http/, 'ws')}/ws`;
  const clients = await Promise.all(Array.from({ length: PEOPLE }, () => TestClient.connect(wsUrl, { localAddress: nextAddress() })));
  const producers = await Promise.all(clients.map((client) => enter(client, roomId)));
  await Promise.all(
    clients.map(async (client, index) => {
      for (const producerId of producers.filter((_, owner) => owner !== index).flat()) {
        const { consumerId } = await client.pushed(producerId);
        await client.call('resumeConsumer', { consumerId });
      }
    }),
  );
  await Promise.all(clients.map((client, index) => exit(client, EXITS[(number * PEOPLE + index) % EXITS.length], vanished)));
}

const COUNTED = ['rooms', 'peers', 'routers', 'transports', 'producers', 'consumers', 'sockets', 'sessions'] as const;
const isEmpty = (counts: Counts) => COUNTED.every((key) => counts[key] === 0);

/** Waits until the server holds nothing; false if it still does after SETTLE_MS. */
async function settled(raum: BenchServer, vanished: TestClient[]): Promise<boolean> {
  // /health counts once a second at most: nothing read may be from before the last cycle ended.
  await new Promise((resolve) => setTimeout(resolve, HEALTH_CACHE_MS));
  const empty = await until(() => countsOf(raum), isEmpty, 'the server holds nothing', SETTLE_MS).then(
    () => true,
    () => false,
  );
  // The server has given up on them; now the client side may let go of its half too.
  for (const client of vanished.splice(0)) client.socket.terminate();
  return empty;
}

/** Memory as read, then after a full garbage collection in the server (what it still holds). */
async function memoryNow(raum: BenchServer): Promise<{ rss: number; rssCollected: number; heapCollected: number; workers: number }> {
  const { server: rss } = memoryOf(raum);
  const heapCollected = await collectGarbage(raum);
  // V8 hands freed pages back to the system shortly after a collection, not during it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const { server: rssCollected, workers } = memoryOf(raum);
  return { rss, rssCollected, heapCollected, workers };
}

const signed = (bytes: number) => `${bytes < 0 ? '−' : '+'}${mib(Math.abs(bytes), 2)}`;

test('join/leave cycles through the signalling protocol: everything is released, and how memory grows', async () => {
  const raum = await startBenchServer({ RAUM_RESUME_GRACE_S: String(GRACE_S) }, { inspector: true });
  const vanished: TestClient[] = [];
  try {
    for (let number = 0; number < WARM_UP_CYCLES; number++) await cycle(raum, number, vanished);
    if (!(await settled(raum, vanished)))
      throw new Error(`after the warm-up the server still holds: ${JSON.stringify(await countsOf(raum))}`);
    const before = await memoryNow(raum);
    const durations: number[] = [];
    const along: string[] = [];
    const started = performance.now();
    for (let number = 0; number < CYCLES; number++) {
      const begun = performance.now();
      await cycle(raum, number, vanished);
      durations.push(performance.now() - begun);
      if ((number + 1) % Math.max(1, Math.round(CYCLES / 5)) === 0) {
        const { server, workers } = memoryOf(raum);
        along.push(`${number + 1}: ${mib(server)} + ${mib(workers)}`);
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    const empty = await settled(raum, vanished);
    const settleSeconds = (performance.now() - started) / 1000 - elapsed;
    const counts = await countsOf(raum);
    const after = await memoryNow(raum);
    const growth = (key: keyof typeof before) =>
      `${mib(before[key])} after the warm-up → ${mib(after[key])} at the end: ${signed(after[key] - before[key])}, ${signed(((after[key] - before[key]) / CYCLES) * 100)} per 100 cycles`;
    // Beyond the start line and what Node says about its inspector.
    const logged = raum.output
      .join('')
      .split('\n')
      .filter((line) => line.trim() && !/^(Raum is running|Debugger |For help, see)/.test(line));
    console.log(
      [
        `Soak: join/leave cycles of ${PEOPLE} people through the signalling protocol (built server, one media worker, loopback).`,
        `Each person: capabilities, join, send and receive transports, camera and microphone producers, consumes and resumes the others';`,
        `then goes by ${EXITS.join(', ')}, in turn (resume grace ${GRACE_S} s; the server gives a silent client up after 15 s).`,
        `  cycles: ${CYCLES} after ${WARM_UP_CYCLES} warm-up cycles, in ${elapsed.toFixed(1)} s`,
        `  one cycle: ${summary(durations)}`,
        `  server RSS (Node), as read: ${growth('rss')}`,
        `  server RSS (Node), after a full garbage collection: ${growth('rssCollected')}`,
        `  server JavaScript heap in use, after a full garbage collection: ${growth('heapCollected')}`,
        `  media worker RSS: ${growth('workers')}`,
        `  RSS as read along the way, server + worker (rooms of the last ~6 s still open), after cycle ${along.join(', ')}`,
        `  counts ${empty ? `back at zero ${settleSeconds.toFixed(1)} s after the last cycle` : `NOT back at zero ${settleSeconds.toFixed(1)} s after the last cycle`}: ${COUNTED.map((key) => `${key} ${counts[key]}`).join(', ')}`,
        `  server log lines: ${logged.length}${logged.length ? `, the first: ${logged.slice(0, 5).join(' | ')}` : ''}`,
      ].join('\n'),
    );
    if (!empty)
      throw new Error(
        `the server did not release everything after ${CYCLES} cycles: ${COUNTED.map((key) => `${key} ${counts[key]}`).join(', ')}`,
      );
  } finally {
    for (const client of vanished) client.socket.terminate();
    await raum.stop();
  }
});

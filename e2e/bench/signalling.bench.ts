import { test } from '@playwright/test';
import { PROTOCOL_VERSION } from '@raum/protocol';
import { TestClient } from '../../server/src/testing/test-client';
import { BOT_RTP_CAPABILITIES } from '../load/werift-peer';
import { loopbackAddress } from '../support/loopback';
import { quantile } from './figures';
import { collectGarbage, countsOf, cpuTimeOf, memoryOf, mib, startBenchServer } from './raum-server';

const CLIENTS = Number(process.env['RAUM_SIGNALLING_CLIENTS'] ?? 5000);
const ROOMS = Number(process.env['RAUM_SIGNALLING_ROOMS'] ?? 500);
/** Joins under way at once: people arriving, not a stampede of one instant. */
const CONCURRENCY = 50;
/** What the protocol asks of a client; the server drops one silent for 5 s. */
const PING_MS = 2000;
/** The server lets one address open 30 connections at once; 20 per address stays under it. */
const CLIENTS_PER_ADDRESS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `npm run bench:signalling`: 5,000 protocol clients join 500 rooms (ten
 * each), through the server's defaults and limits, without media. Prints
 * the join path (connect, capabilities, join answered) p50 and p99, and the
 * server's memory per idle peer after a full garbage collection.
 */
test('signalling: 5,000 clients in 500 rooms', async () => {
  test.setTimeout(20 * 60_000);
  const raum = await startBenchServer({}, { inspector: true });
  const clients: TestClient[] = [];
  const pingers: Array<ReturnType<typeof setInterval>> = [];
  try {
    const url = `${raum.url.replace(/^http/, 'ws')}/ws`;
    const roomIds = Array.from({ length: ROOMS }, (_, index) => `load-room-${String(index).padStart(12, '0')}`);
    await collectGarbage(raum);
    await sleep(1000);
    const idleBefore = memoryOf(raum).server;
    const cpuBefore = cpuTimeOf(raum).server;
    const joinMs: number[] = [];
    let next = 0;
    const started = performance.now();
    const arrive = async () => {
      for (let index = next++; index < CLIENTS; index = next++) {
        const begun = performance.now();
        const client = await TestClient.connect(url, { localAddress: loopbackAddress(index, CLIENTS_PER_ADDRESS), silent: true });
        await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
        await client.call('join', { roomId: roomIds[index % ROOMS], rtpCapabilities: BOT_RTP_CAPABILITIES, e2ee: false });
        joinMs.push(performance.now() - begun);
        clients.push(client);
        pingers.push(setInterval(() => client.ping(), PING_MS));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, arrive));
    const joinSeconds = (performance.now() - started) / 1000;
    const joinCpu = cpuTimeOf(raum).server - cpuBefore;
    // Everyone in: now idle, only heartbeats. The messages they received so far stay in this process, not the server's.
    await sleep(5000);
    const idleCpuBefore = cpuTimeOf(raum).server;
    await sleep(10_000);
    const idleCpu = (cpuTimeOf(raum).server - idleCpuBefore) / 10;
    const counts = await countsOf(raum);
    const heap = await collectGarbage(raum);
    await sleep(1000);
    const idleAfter = memoryOf(raum).server;
    const lines = [
      `${counts.peers} peers in ${counts.rooms} rooms (${counts.sockets} sockets), ${CONCURRENCY} joining at a time, all in after ${joinSeconds.toFixed(1)} s`,
      `join path (connect, capabilities, join): p50 ${quantile(joinMs, 0.5).toFixed(1)} ms, p99 ${quantile(joinMs, 0.99).toFixed(1)} ms`,
      `the server's CPU while they joined: ${((1000 * joinCpu) / CLIENTS).toFixed(2)} ms per join`,
      `idle (heartbeats only): ${(idleCpu * 100).toFixed(1)} % of a core`,
      `server memory after a full collection: ${mib(idleBefore)} empty, ${mib(idleAfter)} with everyone (heap ${mib(heap)}): ${((idleAfter - idleBefore) / counts.peers / 1024).toFixed(1)} KiB per idle peer`,
    ];
    test.info().annotations.push(...lines.map((description) => ({ type: 'signalling', description })));
    for (const line of lines) console.log(line);
  } finally {
    for (const pinger of pingers) clearInterval(pinger);
    await Promise.all(clients.map((client) => client.close()));
    await raum.stop();
  }
});

import { test } from '@playwright/test';
import { raumEntrance } from '../load/bot';
import { describeLoad, runLoad, shapeFromEnv } from '../load/run-load';
import { childrenOf, countsOf, cpuOf, startBenchServer, type Counts } from './raum-server';

const SHAPE = shapeFromEnv('RAUM_BIGROOM', { rooms: 1, publishers: 5, subscribers: 45, seconds: 20, spatialLayer: 0, audio: false });

/**
 * `npm run bench:bigroom`: one room of 50 browserless participants (5
 * cameras, 45 watching every one at the smallest layer, by default) on a
 * server with 2 media workers and the load limit at 0 %, so that the room
 * spreads over both and its streams are piped between them. Prints the
 * loss, the routers and transports the room took, and each worker's CPU
 * while the media flowed. RAUM_BIGROOM_PUBLISHERS, _SUBSCRIBERS, _SECONDS,
 * _LAYER and _AUDIO (1 to take the audio too) change the shape.
 */
test('a 50-person room over 2 workers: loss and CPU per worker', async () => {
  const raum = await startBenchServer({ RAUM_WORKERS: '2', RAUM_WORKER_LOAD_PERCENT: '0' });
  try {
    const workers = childrenOf(raum.pid);
    let before: number[] = [];
    let spent: number[] = [];
    let held: Promise<Counts> | undefined;
    const report = await runLoad(SHAPE, raumEntrance(`${raum.url.replace(/^http/, 'ws')}/ws`), {
      started: () => {
        before = workers.map(cpuOf);
        // Everyone is in and receiving now.
        held = countsOf(raum);
      },
      ended: () => (spent = workers.map((pid, index) => cpuOf(pid) - before[index])),
    });
    const { routers, transports, consumers } = await held!;
    console.log(`one room of ${SHAPE.publishers + SHAPE.subscribers} on 2 workers (load limit 0 %):`);
    for (const line of describeLoad(report)) console.log(`  ${line}`);
    console.log(`  per worker: ${spent.map((seconds) => `${((100 * seconds) / SHAPE.seconds).toFixed(1)} %`).join(', ')} of a core`);
    console.log(
      `  the SFU held, with everyone in: ${routers} routers, ${transports} transports, ${consumers} consumers (the pipes between the routers included)`,
    );
  } finally {
    await raum.stop();
  }
});

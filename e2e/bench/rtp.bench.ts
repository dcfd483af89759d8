import { test } from '@playwright/test';
import { BareSfu } from '../load/bare-sfu';
import { raumEntrance, type Entrance } from '../load/bot';
import { describeLoad, runLoad, shapeFromEnv, type LoadReport } from '../load/run-load';
import { quantile } from './figures';
import { cpuOf, cpuTimeOf, startBenchServer } from './raum-server';

const ROUNDS = Number(process.env.RAUM_LOAD_ROUNDS ?? 3);
const SHAPE = shapeFromEnv('RAUM_LOAD', { rooms: 2, publishers: 3, subscribers: 5, seconds: 20, spatialLayer: 2, audio: true });
/** One run of the shape; returns the report and the worker's CPU (share of a core) while the media flowed. */
async function measure(enter: Entrance, workerCpu: () => number): Promise<{ report: LoadReport; workerCore: number }> {
  let before = 0;
  let spent = 0;
  const report = await runLoad(SHAPE, enter, { started: () => (before = workerCpu()), ended: () => (spent = workerCpu() - before) });
  return { report, workerCore: spent / SHAPE.seconds };
}

/**
 * `npm run load`: browserless publishers (VP8 in three simulcast layers and
 * Opus) and subscribers over real DTLS-SRTP, against a Raum server of its
 * own with one media worker and, in alternating rounds, against the bare
 * mediasoup baseline (the same worker binary and the same RTP, nothing
 * around it). RAUM_LOAD_ROOMS × RAUM_LOAD_PUBLISHERS × RAUM_LOAD_SUBSCRIBERS,
 * RAUM_LOAD_SECONDS of media per round, RAUM_LOAD_ROUNDS rounds, subscribers
 * on simulcast layer RAUM_LOAD_LAYER, taking the audio too unless
 * RAUM_LOAD_AUDIO=0.
 */
test('rtp load: Raum against bare mediasoup', async () => {
  const raum = await startBenchServer({ RAUM_WORKERS: '1' });
  const bare = await BareSfu.start(20_000 + Math.floor(Math.random() * 10_000));
  const perStream: Record<'raum' | 'bare', number[]> = { raum: [], bare: [] };
  const signallingCore: number[] = [];
  try {
    const enterRaum = raumEntrance(`${raum.url.replace(/^http/, 'ws')}/ws`);
    for (let round = 0; round < ROUNDS; round++) {
      const serverBefore = cpuTimeOf(raum).server;
      const viaRaum = await measure(enterRaum, () => cpuTimeOf(raum).workers);
      signallingCore.push((cpuTimeOf(raum).server - serverBefore) / SHAPE.seconds);
      const viaBare = await measure(bare.entrance, () => cpuOf(bare.pid));
      for (const [name, { report, workerCore }] of [
        ['raum', viaRaum],
        ['bare', viaBare],
      ] as const) {
        const videoStreams = report.streams.filter((stream) => stream.kind === 'video').length;
        perStream[name].push((100 * workerCore) / videoStreams);
        console.log(`round ${round + 1}, ${name === 'raum' ? 'Raum' : 'bare mediasoup'}:`);
        for (const line of describeLoad(report)) console.log(`  ${line}`);
        console.log(`  the worker: ${(100 * workerCore).toFixed(1)} % of a core`);
      }
    }
    const raumMedian = quantile(perStream.raum, 0.5);
    const bareMedian = quantile(perStream.bare, 0.5);
    console.log(`worker CPU per forwarded video stream${SHAPE.audio ? ' (with its audio)' : ''}, median of ${ROUNDS} rounds:`);
    console.log(
      `  Raum ${raumMedian.toFixed(3)} % of a core, bare mediasoup ${bareMedian.toFixed(3)} %, ratio ${(raumMedian / bareMedian).toFixed(3)}`,
    );
    console.log(`Raum's own process (signalling, rooms) during the media: ${(100 * quantile(signallingCore, 0.5)).toFixed(1)} % of a core`);
  } finally {
    bare.close();
    await raum.stop();
  }
});

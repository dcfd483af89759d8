import { test, type Page } from '@playwright/test';
import { encodeHeader, keyId, TAG_LENGTH } from '../../client/src/app/core/e2ee/sframe';
import { join, newRoomLink, remoteTiles } from '../support/participants';
import { summary } from './figures';

const WARM_UP_MS = 5_000;
const MEASURE_MS = Number(process.env.RAUM_BENCH_SECONDS ?? 15) * 1000;

interface Timings {
  encrypt: { audio: number[]; video: number[] };
  decrypt: { audio: number[]; video: number[] };
}

interface WorkerStats {
  timings: Timings;
  /** Frames the sender's transforms encrypted so far: its SFrame counter. */
  encrypted: number;
}

/** In the page, before the app: the camera at exactly this size. */
function cameraAt({ width, height }: { width: number; height: number }): void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) =>
    original(
      constraints?.video ? { ...constraints, video: { width: { exact: width }, height: { exact: height }, frameRate: 30 } } : constraints,
    );
}

/** The E2EE worker's per-frame cipher times and counts (the same message the page uses for its badge). */
function workerStats(page: Page): Promise<WorkerStats> {
  return page.evaluate(
    () =>
      new Promise<WorkerStats>((resolve) => {
        const worker = window.__mediaWorker!;
        const listener = ({ data }: MessageEvent) => {
          if (data?.type !== 'stats') return;
          worker.removeEventListener('message', listener);
          const encrypted = data.transforms
            .filter((transform: { operation: string }) => transform.operation === 'encrypt')
            .reduce((sum: number, transform: { frames: number }) => sum + transform.frames, 0);
          resolve({ timings: data.timings, encrypted });
        };
        worker.addEventListener('message', listener);
        worker.postMessage({ type: 'stats' });
      }),
  );
}

/** Frames (video) or packets (audio) and payload bytes sent so far, per kind. */
function sent(page: Page): Promise<Record<'audio' | 'video', { units: number; bytes: number }>> {
  return page.evaluate(async () => {
    const totals = { audio: { units: 0, bytes: 0 }, video: { units: 0, bytes: 0 } };
    for (const connection of window.__peerConnections) {
      (await connection.getStats()).forEach((report) => {
        if (report.type !== 'outbound-rtp') return;
        const kind = report.kind as 'audio' | 'video';
        totals[kind].units += kind === 'video' ? (report.framesEncoded ?? 0) : (report.packetsSent ?? 0);
        totals[kind].bytes += report.bytesSent ?? 0;
      });
    }
    return totals;
  });
}

test('cost of end-to-end encryption per frame and per stream, at 640×480 and 1280×720', async ({ browser }) => {
  const lines = ['End-to-end encryption, measured in the browser (one machine, two participants, loopback):'];
  for (const size of [
    { width: 640, height: 480 },
    { width: 1280, height: 720 },
  ]) {
    const link = newRoomLink();
    const camera = async (page: Page) => page.addInitScript(cameraAt, size);
    const ada = await join(browser, link, 'Ada', { watch: camera });
    const ben = await join(browser, link, 'Ben', { watch: camera });
    await ben.page.waitForFunction(async () => document.querySelectorAll('[data-tile="remote"] video').length === 1);
    await ada.page.waitForTimeout(WARM_UP_MS);
    const before = await sent(ada.page);
    await ada.page.waitForTimeout(MEASURE_MS);
    const after = await sent(ada.page);
    const [{ timings: sender, encrypted }, { timings: receiver }] = [await workerStats(ada.page), await workerStats(ben.page)];
    // SFrame header (config byte, KID of epoch 1 and a leaf, this far's counter) and the AES-GCM tag.
    const overhead = encodeHeader(keyId(1, 1), encrypted).length + TAG_LENGTH;
    const tiles = await remoteTiles(ben.page);
    lines.push(`${size.width}×${size.height} (${tiles.length} remote tile at the receiver), ${overhead} bytes of SFrame per frame:`);
    lines.push(`  encrypt video frame: ${summary(sender.encrypt.video, 'ms', 3)}`);
    lines.push(`  decrypt video frame: ${summary(receiver.decrypt.video, 'ms', 3)}`);
    lines.push(`  encrypt audio frame: ${summary(sender.encrypt.audio, 'ms', 3)}`);
    lines.push(`  decrypt audio frame: ${summary(receiver.decrypt.audio, 'ms', 3)}`);
    for (const kind of ['video', 'audio'] as const) {
      const units = after[kind].units - before[kind].units;
      const bytes = after[kind].bytes - before[kind].bytes;
      const seconds = MEASURE_MS / 1000;
      lines.push(
        `  ${kind} stream: ${((bytes * 8) / seconds / 1000).toFixed(0)} kbit/s sent, ${(units / seconds).toFixed(1)} ${kind === 'video' ? 'frames' : 'packets'}/s (all layers); ` +
          `E2EE adds ${((overhead * units * 8) / seconds / 1000).toFixed(1)} kbit/s = ${((100 * overhead * units) / (bytes - overhead * units)).toFixed(1)} %`,
      );
    }
    await ada.context.close();
    await ben.context.close();
  }
  console.log(lines.join('\n'));
});

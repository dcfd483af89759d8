import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { inboundStreams, join, newRoomLink, type Participant } from '../support/participants';
import { quantile } from './figures';
import { cpuOf } from './raum-server';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 5);
const WINDOW_MS = Number(process.env.RAUM_BENCH_SECONDS ?? 5) * 1000;

/** What a page's camera has cost it so far: time in the encoder, video bytes sent, and frames encoded per layer (rid). */
function sent(page: Page): Promise<{ encodeMs: number; bytes: number; frames: Record<string, number> }> {
  return page.evaluate(async () => {
    const totals = { encodeMs: 0, bytes: 0, frames: {} as Record<string, number> };
    for (const connection of window.__peerConnections) {
      if (connection.connectionState === 'closed') continue;
      (await connection.getStats()).forEach((report) => {
        if (report.type !== 'outbound-rtp' || report.kind !== 'video') return;
        totals.encodeMs += (report.totalEncodeTime ?? 0) * 1000;
        totals.bytes += report.bytesSent ?? 0;
        totals.frames[report.rid ?? String(report.ssrc)] = report.framesEncoded ?? 0;
      });
    }
    return totals;
  });
}

/** CPU time all Chromium processes have used so far (the three pages and the browser's own), in seconds. */
function browserCpu(): number {
  const listed = execFileSync('ps', ['-eo', 'pid=,comm='], { encoding: 'utf8' });
  let seconds = 0;
  for (const [pid, command] of listed.split('\n').map((line) => line.trim().split(/\s+/))) {
    if (!command?.startsWith('chrom')) continue;
    try {
      seconds += cpuOf(Number(pid));
    } catch {
      // It ended between the listing and the reading.
    }
  }
  return seconds;
}

test('what each laptop in a 3-person call spends on sending its camera, once the call has settled', async ({ browser }) => {
  const link = newRoomLink();
  const people: Participant[] = [];
  try {
    for (const name of ['Ada', 'Ben', 'Cem']) people.push(await join(browser, link, name, { joinTimeoutMs: 60_000 }));
    for (const { page } of people) {
      await expect
        .poll(async () => (await inboundStreams(page)).filter((stream) => stream.kind === 'video' && stream.framesDecoded > 30).length, {
          timeout: 60_000,
          message: 'each sees both others',
        })
        .toBe(2);
    }
    // The layers nobody shows are given up a few seconds after the grid settled.
    await people[0].page.waitForTimeout(5_000);
    const encodeMsPerS: number[] = [];
    const kbps: number[] = [];
    const layerFps: Record<string, number[]> = {};
    const browserCores: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const before = await Promise.all(people.map(({ page }) => sent(page)));
      const cpuBefore = browserCpu();
      await people[0].page.waitForTimeout(WINDOW_MS);
      browserCores.push(((browserCpu() - cpuBefore) * 1000) / WINDOW_MS);
      const after = await Promise.all(people.map(({ page }) => sent(page)));
      after.forEach((now, index) => {
        encodeMsPerS.push(((now.encodeMs - before[index].encodeMs) * 1000) / WINDOW_MS);
        kbps.push(((now.bytes - before[index].bytes) * 8) / WINDOW_MS);
        for (const [layer, frames] of Object.entries(now.frames)) {
          (layerFps[layer] ??= []).push(((frames - (before[index].frames[layer] ?? 0)) * 1000) / WINDOW_MS);
        }
      });
    }
    const median = (values: number[]) => quantile(values, 0.5).toFixed(1);
    console.log(
      `A 3-person call of laptops (1280×720 windows, fake camera 1280×720), per sender, medians of ${RUNS} windows of ` +
        `${WINDOW_MS / 1000} s × 3 senders:`,
    );
    console.log(`  the browser's CPU, the three pages together: ${quantile(browserCores, 0.5).toFixed(2)} cores`);
    console.log(`  time in the video encoder: ${median(encodeMsPerS)} ms per second`);
    console.log(`  video sent: ${median(kbps)} kbit/s`);
    console.log(
      `  frames encoded per second, by layer: ${Object.entries(layerFps)
        .map(([layer, fps]) => `${layer} ${median(fps)}`)
        .join(', ')}`,
    );
    console.log(`raw: ${JSON.stringify({ browserCores, encodeMsPerS, kbps, layerFps })}`);
  } finally {
    for (const person of people) await person.context.close();
  }
});

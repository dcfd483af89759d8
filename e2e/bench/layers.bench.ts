import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import CHROMIUM_ARGS from '../../tools/chromium-flags.cjs';
import { health, join, newRoomLink, type Participant } from '../support/participants';
import { quantile } from './figures';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 5);
const WINDOW_MS = Number(process.env.RAUM_BENCH_SECONDS ?? 10) * 1000;
const PHONE = { width: 390, height: 844 };
const SENDER_FPS = Number(process.env.RAUM_BENCH_SENDER_FPS ?? 8);

/**
 * In the page, before the app: every tile counts as on screen and as many
 * device pixels wide as the top layer needs, so this viewer receives every
 * video in full, as Raum did before tiles chose their layers.
 */
function everyTileInFull(): void {
  Object.defineProperty(window, 'devicePixelRatio', { get: () => 8 });
  window.IntersectionObserver = class {
    constructor(private readonly callback: IntersectionObserverCallback) {}
    observe(target: Element): void {
      setTimeout(() => this.callback([{ isIntersecting: true, target } as IntersectionObserverEntry], this as never), 0);
    }
    unobserve(): void {
      // Nothing to stop: every tile stays on screen.
    }
    disconnect(): void {
      // As above.
    }
    takeRecords(): IntersectionObserverEntry[] {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
}

/** Video bytes received and frames decoded so far, over all remote videos. */
function received(page: Page): Promise<{ bytes: number; frames: number }> {
  return page.evaluate(async () => {
    const totals = { bytes: 0, frames: 0 };
    for (const connection of window.__peerConnections) {
      (await connection.getStats()).forEach((report) => {
        if (report.type !== 'inbound-rtp' || report.kind !== 'video') return;
        totals.bytes += report.bytesReceived ?? 0;
        totals.frames += report.framesDecoded ?? 0;
      });
    }
    return totals;
  });
}

test('a phone in a 6-person call: what it receives and decodes with layout-driven layers, against every tile in full', async ({
  browser,
}) => {
  const room = newRoomLink();
  const people: Participant[] = [];
  let senders: Browser | undefined;
  try {
    // The five who send are phones filming at 8 frames a second, in a browser of their own, and show no video: two
    // cores cannot encode and decode for seven pages (their browser stopped serving its sockets for seconds at a time).
    senders = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS.map((flag) => (flag === '--use-fake-device-for-media-stream' ? `${flag}=fps=${SENDER_FPS}` : flag)),
    });
    for (const name of ['Ben', 'Cem', 'Dan', 'Eva', 'Fin']) {
      people.push(await join(senders, room, name, { joinTimeoutMs: 60_000, viewport: PHONE, hidden: true }));
    }
    const layout = await join(browser, room, 'Phone', { joinTimeoutMs: 60_000, viewport: PHONE });
    const full = await join(browser, room, 'Phone in full', {
      joinTimeoutMs: 60_000,
      viewport: PHONE,
      watch: (page) => page.context().addInitScript(everyTileInFull),
    });
    people.push(layout, full);
    // The two who watch send no video, so that each sees the same five cameras.
    for (const { page } of [layout, full]) await page.getByRole('button', { name: 'Turn camera off' }).click();
    // Nobody speaks: this is about video, and seven pages decoding six voices each would take a core of their own.
    for (const { page } of people) await page.getByRole('button', { name: 'Mute', exact: true }).click();
    for (const { page } of [layout, full]) {
      await expect
        .poll(async () => (await received(page)).frames, { timeout: 90_000, message: 'the viewer decodes video' })
        .toBeGreaterThan(100);
    }
    await layout.page.waitForTimeout(5_000);

    const rates = { layout: { kbps: [] as number[], fps: [] as number[] }, full: { kbps: [] as number[], fps: [] as number[] } };
    for (let run = 0; run < RUNS; run++) {
      const before = { layout: await received(layout.page), full: await received(full.page) };
      await layout.page.waitForTimeout(WINDOW_MS);
      const after = { layout: await received(layout.page), full: await received(full.page) };
      for (const key of ['layout', 'full'] as const) {
        rates[key].kbps.push(((after[key].bytes - before[key].bytes) * 8) / WINDOW_MS);
        rates[key].fps.push(((after[key].frames - before[key].frames) * 1000) / WINDOW_MS);
      }
    }
    const median = (values: number[]) => quantile(values, 0.5);
    const line = (key: 'layout' | 'full') =>
      `${median(rates[key].kbps).toFixed(0)} kbit/s received, ${median(rates[key].fps).toFixed(1)} frames/s decoded`;
    console.log(
      `Phone (390×844) seeing 5 remote cameras at ${SENDER_FPS} frames/s (a 6-person call; the second phone's camera is off), ` +
        `microphones muted, medians of ${RUNS} windows of ${WINDOW_MS / 1000} s, side by side:`,
    );
    console.log(`  layout-driven layers, hidden tiles paused: ${line('layout')}`);
    console.log(`  every tile in full:                        ${line('full')}`);
    console.log('  server session events:', JSON.stringify((await health()).sessionEvents));
    console.log(
      `  ratio: ${(median(rates.layout.kbps) / median(rates.full.kbps)).toFixed(2)} of the bitrate, ` +
        `${(median(rates.layout.fps) / median(rates.full.fps)).toFixed(2)} of the decoding`,
    );
  } finally {
    for (const person of people) await person.context.close();
    await senders?.close();
  }
});

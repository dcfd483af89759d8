import { expect, test } from '@playwright/test';
import { raumEntrance } from '../load/bot';
import { describeLoad, runLoad } from '../load/run-load';
import { startRaum, type RaumProcess } from '../support/processes';

const PORT = 19680;
const RTC_PORT = '19690';

let raum: RaumProcess | undefined;

test.afterEach(async () => {
  await raum?.stop();
  raum = undefined;
});

test.describe('the load generator', () => {
  test('2 rooms × 3 publishers × 5 subscribers over real DTLS-SRTP: every stream arrives, under 1 % lost', async () => {
    test.setTimeout(180_000);
    raum = await startRaum('127.0.0.1', PORT, { RAUM_RTC_PORT: RTC_PORT });
    const report = await runLoad(
      {
        rooms: 2,
        publishers: 3,
        subscribers: 5,
        seconds: Number(process.env['RAUM_LOAD_SECONDS'] ?? 10),
        spatialLayer: 0,
        audio: true,
      },
      raumEntrance(`${raum.url.replace(/^http/, 'ws')}/ws`),
    );
    const lines = describeLoad(report);
    test.info().annotations.push(...lines.map((description) => ({ type: 'load', description })));
    console.log(lines.join('\n'));
    expect(report.streams, 'a stream per publisher and kind, at every subscriber').toHaveLength(2 * 5 * 3 * 2);
    expect(report.silent, 'streams that never arrived').toBe(0);
    for (const stream of report.streams) expect(stream.received, `a ${stream.kind} stream`).toBeGreaterThan(0);
    expect(report.lossPercent.video, 'video loss, %').toBeLessThan(1);
    expect(report.lossPercent.audio, 'audio loss, %').toBeLessThan(1);
  });
});

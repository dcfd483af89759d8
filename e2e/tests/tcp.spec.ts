import { expect, test } from '@playwright/test';
import { framesDecoded, join, newRoomLink, remoteTiles, type Participant } from '../support/participants';
import { startRaum, type RaumProcess } from '../support/processes';

/** Networks that block UDP: the SFU's ICE over TCP carries the call. */

const PORT = 19280;
let raum: RaumProcess;
let people: Participant[] = [];

test.beforeAll(async () => {
  raum = await startRaum('127.0.0.1', PORT, { RAUM_RTC_UDP: 'false', RAUM_RTC_PORT: '19300' });
});
test.afterAll(async () => {
  for (const person of people) await person.context.close();
  await raum?.stop();
});

test('with UDP switched off, a call runs over TCP', async ({ browser }) => {
  const link = `http://127.0.0.1:${PORT}${newRoomLink()}`;
  people = [await join(browser, link, 'Ada'), await join(browser, link, 'Ben')];
  for (const { page } of people) {
    await expect
      .poll(async () => framesDecoded(page, (await remoteTiles(page))[0]?.videoTrackId ?? ''), { timeout: 30_000 })
      .toBeGreaterThan(10);
    const protocols = await page.evaluate(async () => {
      const used: string[] = [];
      for (const connection of window.__peerConnections) {
        const stats = await connection.getStats();
        stats.forEach((report) => {
          if (report.type === 'transport' && report.selectedCandidatePairId) {
            used.push(stats.get(stats.get(report.selectedCandidatePairId).remoteCandidateId).protocol);
          }
        });
      }
      return used;
    });
    expect(protocols).toEqual(['tcp', 'tcp']);
  }
});

import { test } from '@playwright/test';
import { firstRemoteFrame, watchFirstRemoteFrame } from '../support/first-frame';
import { join, newRoomLink, type Participant } from '../support/participants';
import { quantile, summary } from './figures';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 10);

test('time from opening a room link to the first remote video frame, end-to-end encrypted and not', async ({ browser }) => {
  const times = { e2ee: { second: [] as number[], third: [] as number[] }, plain: { second: [] as number[], third: [] as number[] } };
  for (let run = 0; run < RUNS; run++) {
    // Alternate which kind goes first, so neither always meets a warmer machine.
    const kinds = run % 2 === 0 ? (['e2ee', 'plain'] as const) : (['plain', 'e2ee'] as const);
    for (const kind of kinds) {
      const link = newRoomLink();
      const people: Participant[] = [];
      for (const [index, name] of ['Ada', 'Ben', 'Cem'].entries()) {
        let opened = 0;
        const person = await join(browser, link, name, {
          // Unencrypted baseline: browsers without encoded transforms make a hop-by-hop room.
          withoutEncodedTransforms: kind === 'plain',
          watch: async (page) => {
            await page.addInitScript(watchFirstRemoteFrame);
            opened = Date.now();
          },
        });
        people.push(person);
        if (index === 0) continue;
        const firstFrame = await firstRemoteFrame(person.page);
        times[kind][index === 1 ? 'second' : 'third'].push(firstFrame - opened);
      }
      for (const person of people) await person.context.close();
    }
  }
  const lines = [
    'Time from opening the room link to the first remote video frame (loopback, fake camera 1280×720, one machine):',
    `  2nd participant, end-to-end encrypted: ${summary(times.e2ee.second)}`,
    `  2nd participant, unencrypted (hop-by-hop): ${summary(times.plain.second)}`,
    `  3rd participant, end-to-end encrypted: ${summary(times.e2ee.third)}`,
    `  3rd participant, unencrypted (hop-by-hop): ${summary(times.plain.third)}`,
    `  ratio of medians, encrypted / unencrypted: 2nd ${(quantile(times.e2ee.second, 0.5) / quantile(times.plain.second, 0.5)).toFixed(2)}, 3rd ${(quantile(times.e2ee.third, 0.5) / quantile(times.plain.third, 0.5)).toFixed(2)}`,
  ];
  console.log(lines.join('\n'));
});

import { test } from '@playwright/test';
import {
  firstFrameOfNewcomer,
  firstRemoteFrame,
  firstSharpFrame,
  joinClicked,
  seenFrom,
  watchFirstRemoteFrame,
} from '../support/first-frame';
import { join, newRoomLink, type Participant } from '../support/participants';
import { quantile, summary } from './figures';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 10);

type Times = Record<'e2ee' | 'plain', Record<'second' | 'third', number[]>>;

const noTimes = (): Times => ({ e2ee: { second: [], third: [] }, plain: { second: [], third: [] } });

test('time from opening a room link, and from the Join click, to the first remote video frame, end-to-end encrypted and not', async ({
  browser,
}) => {
  const times = { link: noTimes(), click: noTimes(), sharp: noTimes(), seen: noTimes() };
  for (let run = 0; run < RUNS; run++) {
    // Alternate which kind goes first, so neither always meets a warmer machine.
    const kinds = run % 2 === 0 ? (['e2ee', 'plain'] as const) : (['plain', 'e2ee'] as const);
    for (const kind of kinds) {
      const link = newRoomLink();
      const people: Participant[] = [];
      for (const [index, name] of ['Ada', 'Ben', 'Cem'].entries()) {
        let opened = 0;
        const seenBefore = index === 0 ? [] : await seenFrom(people[0].page);
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
        const which = index === 1 ? 'second' : 'third';
        times.link[kind][which].push(firstFrame - opened);
        const clicked = await joinClicked(person.page);
        times.click[kind][which].push(firstFrame - clicked);
        times.sharp[kind][which].push((await firstSharpFrame(person.page)) - clicked);
        times.seen[kind][which].push((await firstFrameOfNewcomer(people[0].page, seenBefore)) - clicked);
      }
      for (const person of people) await person.context.close();
    }
  }
  const describe = (from: string, { e2ee, plain }: Times, to = 'the first remote video frame') => [
    `Time from ${from} to ${to} (loopback, fake camera 1280×720, one machine):`,
    `  2nd participant, end-to-end encrypted: ${summary(e2ee.second)}`,
    `  2nd participant, unencrypted (hop-by-hop): ${summary(plain.second)}`,
    `  3rd participant, end-to-end encrypted: ${summary(e2ee.third)}`,
    `  3rd participant, unencrypted (hop-by-hop): ${summary(plain.third)}`,
    `  ratio of medians, encrypted / unencrypted: 2nd ${(quantile(e2ee.second, 0.5) / quantile(plain.second, 0.5)).toFixed(2)}, 3rd ${(quantile(e2ee.third, 0.5) / quantile(plain.third, 0.5)).toFixed(2)}`,
  ];
  console.log(
    [
      ...describe('opening the room link', times.link),
      ...describe('the Join click', times.click),
      ...describe('the Join click', times.sharp, 'the first remote frame in the layer its tile asked for'),
      // The other way round: how soon the others see the newcomer.
      ...describe("a participant's Join click", times.seen, "the first participant's first frame of them"),
    ].join('\n'),
  );
  // Every time, so that runs side by side (one build against another) can be pooled.
  console.log(`raw, ms: ${JSON.stringify(times)}`);
});

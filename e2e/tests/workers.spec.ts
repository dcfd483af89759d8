import { expect, test } from '@playwright/test';
import { decodesFrom } from '../support/decoding';
import { join, newRoomLink, until, type Participant } from '../support/participants';
import { startRaum, type RaumProcess } from '../support/processes';

/** A room spread over two media workers: each stream is piped to the other router when someone there receives it. */

const PORT = 19580;

let raum: RaumProcess | undefined;
let people: Participant[] = [];
test.afterEach(async () => {
  for (const person of people) await person.context.close();
  people = [];
  await raum?.stop();
  raum = undefined;
});

async function census(): Promise<{ routers: number; transports: number; consumers: number; peers: number }> {
  return (await fetch(`${raum!.url}/health`)).json();
}

test('three people over two workers decode each other, and leaving closes pipes and routers', async ({ browser }) => {
  test.setTimeout(150_000);
  // A load limit of 0: every newcomer goes to the least loaded worker, so the room spans both.
  raum = await startRaum('127.0.0.1', PORT, {
    RAUM_RTC_PORT: '19600',
    RAUM_WORKERS: '2',
    RAUM_WORKER_LOAD_PERCENT: '0',
    RAUM_HEALTH_DETAILS: 'true',
  });
  const link = newRoomLink();
  const names = ['Ada', 'Ben', 'Cem'];
  for (const name of names) people.push(await join(browser, link, name, { origin: raum.url }));
  for (const viewer of people) {
    for (const name of names) if (name !== viewer.name) await decodesFrom(viewer.page, name);
  }
  const spread = await census();
  test.info().annotations.push({ type: 'figures', description: JSON.stringify(spread) });
  expect(spread.routers, 'one router on each worker').toBe(2);
  // Each of the three receives two cameras and two microphones (12), and the streams that cross are piped:
  // the lone person's two to the other router, the other two people's four to the lone person's.
  expect(spread.consumers).toBe(12 + 6);

  await people[0].context.close();
  await people[1].context.close();
  people = people.slice(2);
  await until(census, (now) => now.peers === 1 && now.consumers === 0 && now.routers === 1, 'one person left, on one router', 30_000);
  await people[0].context.close();
  people = [];
  await until(census, (now) => now.routers === 0 && now.transports === 0, 'nothing left', 30_000);
});

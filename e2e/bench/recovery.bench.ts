import { test, type Browser } from '@playwright/test';
import { frameGaps, join, newRoomLink, remoteTiles, resetFrameGaps, until, type Participant } from '../support/participants';
import { startRaum, type RaumProcess } from '../support/processes';
import { FreezingProxy } from '../support/proxy';
import { seesDecoding, watchSockets, workerPids } from '../support/recovery';
import { summary } from './figures';

/**
 * How fast calls come back: from a silent network loss, a killed media
 * worker and a restart. Real browsers against a real server on this machine;
 * medians over RAUM_BENCH_RUNS runs (default 5). Prints figures, asserts none.
 */

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 5);
const PORT = 19980;
const DRAIN_S = 5;

function server(env: Record<string, string> = {}): Promise<RaumProcess> {
  return startRaum('127.0.0.1', PORT, { RAUM_RTC_PORT: '20000', RAUM_HEALTH_DETAILS: 'true', ...env });
}

/** A two- or three-person call; everyone decoding everyone. */
async function call(browser: Browser, origins: string[]): Promise<Participant[]> {
  const link = newRoomLink();
  const names = ['Ada', 'Ben', 'Cem'].slice(0, origins.length);
  const people: Participant[] = [];
  for (const [index, origin] of origins.entries()) people.push(await join(browser, link, names[index], { origin }));
  for (const person of people)
    await seesDecoding(
      person,
      names.filter((name) => name !== person.name),
    );
  return people;
}

async function hangUp(people: Participant[]): Promise<void> {
  for (const person of people) await person.context.close();
}

test('recovery: silent network loss, killed media worker, restart', async ({ browser }) => {
  const resumed: number[] = [];
  const cemGaps: number[] = [];
  const othersGaps: number[] = [];
  let raum = await server();
  const proxy = await FreezingProxy.start(PORT);
  for (let run = 0; run < RUNS; run++) {
    const people = await call(browser, [raum.url, raum.url, proxy.origin]);
    const [ada, ben, cem] = people;
    for (const { page } of people) await resetFrameGaps(page);
    const sockets = watchSockets(cem.page);
    proxy.freeze();
    proxy.thaw();
    const dropped = Date.now();
    const answered = await until(async () => sockets[0]?.answered, Boolean, 'resumed', 30_000);
    resumed.push(answered! - dropped);
    await cem.page.waitForTimeout(1000);
    const [atAda, atBen, atCem] = [await frameGaps(ada.page), await frameGaps(ben.page), await frameGaps(cem.page)];
    cemGaps.push(Math.max(atAda['Cem'], atBen['Cem'], atCem['Ada'], atCem['Ben']));
    othersGaps.push(Math.max(atAda['Ben'], atBen['Ada']));
    await hangUp(people);
  }
  await proxy.close();
  await raum.stop();

  const workerBack: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    raum = await server({ RAUM_WORKERS: '2' });
    const people = await call(browser, [raum.url, raum.url]);
    const [ada, ben] = people;
    const before = (await remoteTiles(ada.page))[0].videoTrackId;
    // A fresh server's first room is on its first worker.
    process.kill(workerPids(raum.pid)[0], 'SIGKILL');
    const killed = Date.now();
    await until(
      () => remoteTiles(ada.page),
      (tiles) => tiles[0]?.videoTrackId !== undefined && tiles[0].videoTrackId !== before,
      'a new stream',
      30_000,
    );
    await seesDecoding(ada, ['Ben']);
    await seesDecoding(ben, ['Ada']);
    workerBack.push(Date.now() - killed);
    await hangUp(people);
    await raum.stop();
  }

  const drained: number[] = [];
  const backAfterRestart: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    raum = await server({ RAUM_DRAIN_S: String(DRAIN_S) });
    const people = await call(browser, [raum.url, raum.url]);
    const signalled = Date.now();
    process.kill(raum.pid, 'SIGTERM');
    await raum.exited;
    drained.push(Date.now() - signalled);
    const restarted = Date.now();
    raum = await server({ RAUM_DRAIN_S: String(DRAIN_S) });
    for (const person of people)
      await seesDecoding(
        person,
        people.filter((other) => other !== person).map((other) => other.name),
      );
    backAfterRestart.push(Date.now() - restarted);
    await hangUp(people);
    await raum.stop();
  }

  console.log(`Silent network loss of one of three (heartbeat 2 s / 5 s, RAUM_RESUME_GRACE_S 30), ${RUNS} runs:`);
  console.log(`  from the drop to signalling resumed: ${summary(resumed)}`);
  console.log(`  longest wait for a frame of the person, both ways: ${summary(cemGaps)}`);
  console.log(`  the same between the two others, side by side (what the machine does to every picture): ${summary(othersGaps)}`);
  console.log(`Media worker killed (SIGKILL), two people on it, ${RUNS} runs:`);
  console.log(`  from the kill to both decoding each other again: ${summary(workerBack)}`);
  console.log(`Restart (SIGTERM) of a server with a call, RAUM_DRAIN_S=${DRAIN_S}, ${RUNS} runs:`);
  console.log(`  from SIGTERM to exit 0: ${summary(drained)}`);
  console.log(`  from starting the new server to both decoding each other again: ${summary(backAfterRestart)}`);
});

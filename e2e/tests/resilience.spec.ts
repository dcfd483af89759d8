import { expect, test, type Browser, type Page } from '@playwright/test';
import { frameGaps, join, newRoomLink, remoteTiles, resetFrameGaps, until, type Participant } from '../support/participants';
import { startRaum, type RaumProcess } from '../support/processes';
import { FreezingProxy } from '../support/proxy';
import { joinOverProtocol, seesDecoding, watchReconnecting, watchSockets, workerPids } from '../support/recovery';

/** Calls that survive a dead network, a crashed media worker and a restart, without a click. */

const PORT = 19380;
const RTC_PORT = '19400';
const GRACE_S = 10;
/** How long the server waits for a silent browser before the grace starts: three heartbeat timeouts of 5 s. */
const CLIENT_SILENCE_S = 15;

let raum: RaumProcess | undefined;
let proxy: FreezingProxy | undefined;
let people: Participant[] = [];

test.afterEach(async () => {
  for (const person of people) await person.context.close();
  people = [];
  await proxy?.close();
  proxy = undefined;
  await raum?.stop();
  raum = undefined;
});

function startServer(env: Record<string, string> = {}): Promise<RaumProcess> {
  return startRaum('127.0.0.1', PORT, {
    RAUM_RTC_PORT: RTC_PORT,
    RAUM_RESUME_GRACE_S: String(GRACE_S),
    RAUM_HEALTH_DETAILS: 'true',
    ...env,
  });
}

async function joinAt(browser: Browser, origin: string, link: string, name: string): Promise<Participant> {
  const person = await join(browser, link, name, { origin });
  people.push(person);
  return person;
}

const peerIdOf = async (viewer: Page, name: string) => (await remoteTiles(viewer)).find((tile) => tile.name === name)?.peerId;
const reconnecting = (page: Page) => page.locator('[data-reconnecting]');

test.describe.serial('calls that survive', () => {
  test('a silent network loss: the person resumes by itself, media never stops, a newcomer is seen, no duplicates', async ({ browser }) => {
    test.setTimeout(180_000);
    raum = await startServer();
    proxy = await FreezingProxy.start(PORT);
    const link = newRoomLink();
    const ada = await joinAt(browser, raum.url, link, 'Ada');
    const ben = await joinAt(browser, raum.url, link, 'Ben');
    const cem = await joinAt(browser, proxy.origin, link, 'Cem');
    await seesDecoding(ada, ['Ben', 'Cem']);
    await seesDecoding(cem, ['Ada', 'Ben']);
    const cemAtAda = await peerIdOf(ada.page, 'Cem');
    // In its first seconds a sender's bandwidth ramps up and the SFU moves receivers to higher simulcast
    // layers, each move waiting for a key frame: pictures stall then, outage or not. Measure after that.
    await ada.page.waitForTimeout(4000);

    // Cem's signalling goes silent without a FIN or RST; new connections get through again.
    const outage = async () => {
      const shownReconnecting = await watchReconnecting(cem.page);
      const sockets = watchSockets(cem.page);
      proxy!.freeze();
      proxy!.thaw();
      const dropped = Date.now();
      await until(async () => sockets[0]?.answered, Boolean, 'Cem’s page resumes on a new socket', 15_000);
      await expect(reconnecting(cem.page)).toHaveCount(0, { timeout: 10_000 });
      expect(await shownReconnecting(), 'Cem saw "Reconnecting…" meanwhile').toBe(true);
      return sockets[0].answered! - dropped;
    };

    // Through the whole outage Cem's media, both ways, never stops for more than a second.
    for (const { page } of [ada, ben, cem]) await resetFrameGaps(page);
    const resumedAfter = await outage();
    const gaps = { ada: await frameGaps(ada.page), ben: await frameGaps(ben.page), cem: await frameGaps(cem.page) };
    test.info().annotations.push({ type: 'figures', description: JSON.stringify({ resumedAfterMs: resumedAfter, gaps }) });
    // On this shared machine every picture may stall a moment when the CPU is taken; Ada and Ben,
    // whose connection never broke, show how long. Cem's media must do no worse than theirs.
    const everyone = Math.max(gaps.ada['Ben'], gaps.ben['Ada']);
    const bound = Math.max(1000, everyone + 500);
    const about = JSON.stringify(gaps);
    expect(gaps.ada['Cem'], `longest wait for a frame of Cem at Ada (ms) ${about}`).toBeLessThan(bound);
    expect(gaps.ben['Cem'], `longest wait for a frame of Cem at Ben (ms) ${about}`).toBeLessThan(bound);
    expect(gaps.cem['Ada'], `longest wait for a frame of Ada at Cem (ms) ${about}`).toBeLessThan(bound);
    expect(gaps.cem['Ben'], `longest wait for a frame of Ben at Cem (ms) ${about}`).toBeLessThan(bound);
    expect(await peerIdOf(ada.page, 'Cem'), 'Cem is the same participant').toBe(cemAtAda);

    // Again, and Dan joins while Cem is away: after the resume everyone sees everyone, once.
    const resumed = outage();
    const dan = await joinAt(browser, raum.url, link, 'Dan');
    await resumed;
    await seesDecoding(cem, ['Ada', 'Ben', 'Dan']);
    await seesDecoding(dan, ['Ada', 'Ben', 'Cem']);
    for (const person of [ada, ben])
      await seesDecoding(
        person,
        ['Ada', 'Ben', 'Cem', 'Dan'].filter((name) => name !== person.name),
      );
    expect(await peerIdOf(ada.page, 'Cem'), 'Cem is still the same participant').toBe(cemAtAda);
    for (const person of [ada, ben, cem]) {
      const names = (await remoteTiles(person.page)).map((tile) => tile.name);
      expect(new Set(names).size, `${person.name}'s tiles: ${names.join(', ')}`).toBe(names.length);
    }
    for (const person of people) expect(person.errors, `${person.name}'s console errors`).toEqual([]);
  });

  test('past the grace period the person is back as a new participant, without a click', async ({ browser }) => {
    test.setTimeout(180_000);
    raum = await startServer();
    proxy = await FreezingProxy.start(PORT);
    const link = newRoomLink();
    const ada = await joinAt(browser, raum.url, link, 'Ada');
    const cem = await joinAt(browser, proxy.origin, link, 'Cem');
    await seesDecoding(ada, ['Cem']);
    const before = await peerIdOf(ada.page, 'Cem');

    // The network stays away longer than the server waits.
    proxy.freeze();
    await expect(ada.page.locator('[data-tile="remote"]')).toHaveCount(0, { timeout: (CLIENT_SILENCE_S + GRACE_S + 15) * 1000 });
    proxy.thaw();
    await seesDecoding(ada, ['Cem']);
    await seesDecoding(cem, ['Ada']);
    expect(await peerIdOf(ada.page, 'Cem'), 'a new participant').not.toBe(before);
    await expect(reconnecting(cem.page)).toHaveCount(0);
    await expect(cem.page.getByRole('button', { name: 'Leave' })).toBeVisible();
  });

  test('a media worker killed: its room is back within seconds, another room never notices, the server stays up', async ({ browser }) => {
    test.setTimeout(180_000);
    raum = await startServer({ RAUM_WORKERS: '2' });
    const first = newRoomLink();
    const second = newRoomLink();
    // Rooms go to the least loaded worker: the first room to worker 0, the second to worker 1.
    const ada = await joinAt(browser, raum.url, first, 'Ada');
    const ben = await joinAt(browser, raum.url, first, 'Ben');
    await seesDecoding(ada, ['Ben']);
    const cem = await joinAt(browser, raum.url, second, 'Cem');
    const dan = await joinAt(browser, raum.url, second, 'Dan');
    await seesDecoding(cem, ['Dan']);
    const [worker] = workerPids(raum.pid);
    const benTrack = (await remoteTiles(ada.page)).find((tile) => tile.name === 'Ben')!.videoTrackId;
    const otherTracks = async () => [...(await remoteTiles(cem.page)), ...(await remoteTiles(dan.page))].map((tile) => tile.videoTrackId);
    const otherBefore = await otherTracks();
    for (const { page } of [cem, dan]) await resetFrameGaps(page);

    process.kill(worker, 'SIGKILL');
    const killed = Date.now();
    await until(
      () => remoteTiles(ada.page),
      (tiles) => tiles.some((tile) => tile.name === 'Ben' && tile.videoTrackId && tile.videoTrackId !== benTrack),
      'Ada receives Ben on a new stream',
    );
    await seesDecoding(ada, ['Ben']);
    await seesDecoding(ben, ['Ada']);
    const backAfter = Date.now() - killed;
    const otherRoom = { cem: (await frameGaps(cem.page))['Dan'], dan: (await frameGaps(dan.page))['Cem'] };
    test
      .info()
      .annotations.push({ type: 'figures', description: JSON.stringify({ mediaBackAfterMs: backAfter, otherRoomGaps: otherRoom }) });
    // How fast is a figure (here, and as a median in bench:recovery), not a pass mark: on this shared
    // machine the same path took 3 to 6 s in one day's runs. What must hold is asserted: the room came
    // back on new streams by itself, and the room on the other worker kept its own.
    // The other room kept its streams: a room the SFU disturbed gets new ones. Its pictures kept
    // coming: a rendered picture may stall a moment while the moved room's four pages rebuild on
    // the same two cores, but for less than the moved room was away.
    expect(await otherTracks(), 'the other room’s streams').toEqual(otherBefore);
    expect(otherRoom.cem, 'the other room’s longest wait for a frame (ms)').toBeLessThan(Math.max(backAfter, 3000));
    expect(otherRoom.dan, 'the other room’s longest wait for a frame (ms)').toBeLessThan(Math.max(backAfter, 3000));

    // A newcomer joins the moved room; the server never exited.
    const eve = await joinAt(browser, raum.url, first, 'Eve');
    await seesDecoding(eve, ['Ada', 'Ben']);
    const health = await (await fetch(`${raum.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', workers: 2, workerRestarts: 1, rooms: 2, peers: 5 });
    expect(
      await Promise.race([raum.exited.then(() => 'exited'), new Promise((resolve) => setTimeout(() => resolve('running'), 100))]),
    ).toBe('running');
  });

  test('a restart: everyone is told, nobody new gets in, the server exits 0, and the call comes back by itself', async ({ browser }) => {
    test.setTimeout(180_000);
    raum = await startServer({ RAUM_DRAIN_S: '4' });
    const link = newRoomLink();
    const ada = await joinAt(browser, raum.url, link, 'Ada');
    const ben = await joinAt(browser, raum.url, link, 'Ben');
    await seesDecoding(ada, ['Ben']);

    const signalled = Date.now();
    process.kill(raum.pid, 'SIGTERM');
    for (const { page } of [ada, ben]) await expect(page.getByRole('status').filter({ hasText: 'The server is restarting' })).toBeVisible();
    const refused = await joinOverProtocol(raum.url, link);
    expect(refused, 'a join while draining').toBe('server-draining');
    expect(await raum.exited, 'exit code').toBe(0);
    const drainedAfter = Date.now() - signalled;
    test.info().annotations.push({ type: 'figures', description: JSON.stringify({ drainedAfterMs: drainedAfter }) });
    expect(drainedAfter).toBeGreaterThanOrEqual(3500);
    await expect(reconnecting(ada.page)).toBeVisible();

    raum = await startServer({ RAUM_DRAIN_S: '4' });
    await seesDecoding(ada, ['Ben']);
    await seesDecoding(ben, ['Ada']);
    for (const { page } of [ada, ben]) await expect(reconnecting(page)).toHaveCount(0);
  });
});

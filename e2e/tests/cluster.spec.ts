import { expect, test, type Browser } from '@playwright/test';
import { startRedis, type TestRedis } from '../../server/src/testing/redis';
import { Balancer } from '../support/balancer';
import { join, mediaPaths, newRoomLink, remoteTiles, securityOf, until, type Participant } from '../support/participants';
import { startRaum, type RaumProcess } from '../support/processes';
import { seesDecoding } from '../support/recovery';

/** Two Raum nodes sharing one Redis, each behind its own front that falls back on the other, as nginx with a backup upstream. */

const PORTS = [19480, 19481] as const;
const RTC_PORTS = ['19500', '19510'] as const;
/** A room's home dying must not cost a call more than this (the reliability issue's "back within seconds"). */
const BACK_WITHIN_MS = 20_000;
const E2EE = 'End-to-end encrypted';

let redis: TestRedis | undefined;
let nodes: RaumProcess[] = [];
let fronts: Balancer[] = [];
let people: Participant[] = [];

test.afterEach(async () => {
  for (const person of people) await person.context.close();
  for (const front of fronts) await front.close();
  for (const node of nodes) await node.stop();
  await redis?.stop();
  [people, fronts, nodes, redis] = [[], [], [], undefined];
});

/** Redis, both nodes and their fronts; Ada through the first node's front (the room's home), Ben through the other's. */
async function aCallOverTwoNodes(browser: Browser): Promise<{ link: string; ada: Participant; ben: Participant; redis: TestRedis }> {
  // Kept in the file's `redis` too, for afterEach to stop.
  const started = (redis = await startRedis());
  for (const [index, port] of PORTS.entries()) {
    nodes.push(
      await startRaum('127.0.0.1', port, { RAUM_REDIS_URL: started.url, RAUM_RTC_PORT: RTC_PORTS[index], RAUM_RESUME_GRACE_S: '10' }),
    );
  }
  fronts = [await Balancer.start([PORTS[0], PORTS[1]]), await Balancer.start([PORTS[1], PORTS[0]])];
  const link = newRoomLink();
  const ada = await join(browser, link, 'Ada', { origin: fronts[0]!.origin });
  const ben = await join(browser, link, 'Ben', { origin: fronts[1]!.origin });
  people.push(ada, ben);
  await seesDecoding(ada, ['Ben']);
  await seesDecoding(ben, ['Ada']);
  for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}’s badge` }).toBe(E2EE);
  return { link, ada, ben, redis: started };
}

/** Both come back as new participants (a tile with the other's name and a new id) and decode each other. */
async function backAsNewParticipants(ada: Participant, ben: Participant, before: string[]): Promise<void> {
  for (const [viewer, other] of [
    [ada, 'Ben'],
    [ben, 'Ada'],
  ] as const) {
    await until(
      () => remoteTiles(viewer.page),
      (tiles) => tiles.some((tile) => tile.name === other && !before.includes(tile.peerId)),
      `${viewer.name} sees ${other} back`,
      BACK_WITHIN_MS,
    );
    await seesDecoding(viewer, [other]);
  }
}

/** The ids Ada and Ben know each other by now. */
async function peerIdsSeen(ada: Participant, ben: Participant): Promise<string[]> {
  return [...(await remoteTiles(ada.page)), ...(await remoteTiles(ben.page))].map((tile) => tile.peerId);
}

test('two nodes: people on different nodes meet end-to-end encrypted; the home node killed, the call is back on the survivor; Redis holds nothing personal', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const { link, ada, ben, redis } = await aCallOverTwoNodes(browser);
  // Each one's media goes to the node their socket is on; the streams cross between the nodes.
  expect(await mediaPorts(ada)).toEqual([RTC_PORTS[0], RTC_PORTS[0]]);
  expect(await mediaPorts(ben)).toEqual([RTC_PORTS[1], RTC_PORTS[1]]);

  // Only routing in Redis: no room link, no peer ids, no names, no addresses.
  const peerIds = await peerIdsSeen(ada, ben);
  const roomId = link.split('#')[0]!.split('/').pop()!;
  const contents = await redis.contents();
  expect(contents.map(({ key }) => key.replace(/:[^:]+$/, '')).sort()).toEqual(['raum:node', 'raum:node', 'raum:room']);
  for (const { key, value, ttlMs } of contents) {
    expect(ttlMs, `${key} expires`).toBeGreaterThan(0);
    for (const personal of [roomId, ...peerIds, 'Ada', 'Ben', '127.0.0.1']) expect(`${key} ${value}`).not.toContain(personal);
  }
  expect(redis.files(), 'nothing persisted').toEqual([]);

  // Ada joined first, through the first node: it is the room's home. It dies without a word.
  const killedAt = Date.now();
  process.kill(nodes[0]!.pid, 'SIGKILL');
  // Both sessions were on the home: each comes back as a new participant, in the room now at home on the survivor.
  await backAsNewParticipants(ada, ben, peerIds);
  const backAfterMs = Date.now() - killedAt;
  console.log(`back on the survivor ${backAfterMs} ms after the home node was killed`);
  expect(backAfterMs).toBeLessThan(BACK_WITHIN_MS);
  for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}’s badge` }).toBe(E2EE);
  for (const person of people) expect(await mediaPorts(person), `${person.name} on the survivor`).toEqual([RTC_PORTS[1], RTC_PORTS[1]]);
});

test('two nodes: a meeting another node took over (it took the home for dead) moves there, its people with it, end-to-end encrypted', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const { ada, ben, redis } = await aCallOverTwoNodes(browser);
  const peerIds = await peerIdsSeen(ada, ben);
  const contents = await redis.contents();
  const claim = contents.find(({ key }) => key.startsWith('raum:room:'))!;
  const other = contents
    .find(({ key }) => key.startsWith('raum:node:') && !key.endsWith(claim.value))!
    .key.split(':')
    .pop()!;
  // As after a split: the second node found the home dead for a moment, and a newcomer made it the home there.
  await redis.set(claim.key, other);
  // The old home sends them over: each comes back as a new participant, in the room at home on the second node.
  await backAsNewParticipants(ada, ben, peerIds);
  for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}’s badge` }).toBe(E2EE);
  expect((await redis.contents()).filter(({ key }) => key === claim.key).map(({ value }) => value)).toEqual([other]);
  // Each one's media stays on the node their socket is on.
  expect(await mediaPorts(ada)).toEqual([RTC_PORTS[0], RTC_PORTS[0]]);
  expect(await mediaPorts(ben)).toEqual([RTC_PORTS[1], RTC_PORTS[1]]);
});

/** The SFU ports a person's send and receive transports use. */
async function mediaPorts(person: Participant): Promise<string[]> {
  return (await mediaPaths(person.page)).map((path) => String(path.remotePort));
}

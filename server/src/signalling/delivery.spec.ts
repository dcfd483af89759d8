import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_MESSAGE_BYTES, MAX_MLS_PAYLOAD_LENGTH } from '@raum/protocol';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { privateMessage } from '../testing/mls-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A commit as a client sends it: an MLS PrivateMessage, base64url. */
const privateCommit = (groupId: Buffer, epoch: number, options: { contentType?: number; padding?: number } = {}) =>
  privateMessage(groupId, epoch, { padding: 64, ...options }).toString('base64url');

/** What the server sends and a client receives: opaque to the server, recognisable to the test. */
const opaque = (label: string) => Buffer.from(label).toString('base64url');

/** The MLS delivery service over real sockets: KeyPackages, commits and Welcomes, routed by real peer ids. */
describe('the MLS delivery service', () => {
  let server: TestServer;
  let capabilities: unknown;
  /** Every peer and room id the tests used, none of which may reach the log. */
  const ids: string[] = [];

  before(async () => {
    server = await startTestServer();
    capabilities = server.app.get(MediaService).routerRtpCapabilities;
  });
  after(() => server.close());

  async function joined(room: string): Promise<{ client: TestClient; peerId: string; group: 'create' | 'join' }> {
    const client = await TestClient.connect(server.wsUrl);
    const { peerId, group } = await client.call('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: true });
    ids.push(room, peerId);
    return { client, peerId, group };
  }

  /** The notifications of `method` a client got, by their data. */
  const heard = (client: TestClient, method: string) =>
    client.received.filter((message) => message.method === method).map((message) => message.data);

  /** Lets anything in flight arrive before counting what did not. */
  const settle = () => sleep(100);

  it('routes KeyPackages to members, Welcomes to newcomers, commits to the other members, and orders commits', async () => {
    const room = 'delivery-suite-room-000001';
    const a = await joined(room);
    const b = await joined(room);
    const c = await joined(room);
    assert.deepEqual([a.group, b.group, c.group], ['create', 'join', 'join'], 'the first starts the group, the others wait');
    const group = randomBytes(32);

    // B's KeyPackage reaches A, who holds the group, and not C, who waits too.
    await b.client.call('publishKeyPackage', { keyPackage: opaque('kp-b') });
    assert.deepEqual((await a.client.notification('keyPackage')).data, { from: b.peerId, keyPackage: opaque('kp-b') });

    // Nobody but a member commits; a commit that adds needs its Welcome; only those waiting are added; only commits are taken.
    const commit0 = privateCommit(group, 0);
    assert.equal((await c.client.request('commit', { commit: commit0, added: [], removed: [] })).error?.code, 'invalid-state');
    assert.equal((await b.client.request('commit', { commit: commit0, added: [], removed: [] })).error?.code, 'invalid-state');
    assert.equal((await a.client.request('commit', { commit: commit0, added: [b.peerId], removed: [] })).error?.code, 'bad-request');
    const welcomeC = { commit: commit0, welcome: opaque('welcome'), added: [c.peerId], removed: [] };
    assert.equal((await a.client.request('commit', welcomeC)).error?.code, 'not-found', 'C published no KeyPackage');
    const application = privateCommit(group, 0, { contentType: 1 });
    assert.equal((await a.client.request('commit', { commit: application, added: [], removed: [] })).error?.code, 'bad-request');

    // A adds B: the first commit for epoch 0 takes it, B gets the Welcome, nobody else was in the group to get the commit.
    const addB = { commit: commit0, welcome: opaque('welcome-b'), added: [b.peerId], removed: [] };
    assert.deepEqual(await a.client.call('commit', addB), { epoch: 1 });
    assert.deepEqual((await b.client.notification('welcome')).data, { welcome: opaque('welcome-b') });

    // Another commit for epoch 0 lost the race: stale, and routed nowhere.
    assert.equal(
      (await a.client.request('commit', { commit: privateCommit(group, 0), added: [], removed: [] })).error?.code,
      'stale-epoch',
    );

    // C's KeyPackage now reaches both members.
    await c.client.call('publishKeyPackage', { keyPackage: opaque('kp-c') });
    for (const member of [a, b]) {
      assert.deepEqual((await member.client.notification('keyPackage', (data) => data.from === c.peerId)).data, {
        from: c.peerId,
        keyPackage: opaque('kp-c'),
      });
    }

    // A and B both add C for epoch 1: B is first, A's commit is stale. A gets B's commit, C the Welcome.
    const commit1 = privateCommit(group, 1);
    assert.deepEqual(await b.client.call('commit', { commit: commit1, welcome: opaque('welcome-c'), added: [c.peerId], removed: [] }), {
      epoch: 2,
    });
    const raced = await a.client.request('commit', {
      commit: privateCommit(group, 1),
      welcome: opaque('late'),
      added: [c.peerId],
      removed: [],
    });
    assert.equal(raced.error?.code, 'stale-epoch');
    assert.deepEqual((await a.client.notification('commit')).data, { from: b.peerId, commit: commit1 });
    assert.deepEqual((await c.client.notification('welcome')).data, { welcome: opaque('welcome-c') });

    // A member publishes no KeyPackage.
    assert.equal((await c.client.request('publishKeyPackage', { keyPackage: opaque('again') })).error?.code, 'invalid-state');

    // Removing: the removed member gets the commit that removes it (and so learns it), the others too.
    const commit2 = privateCommit(group, 2);
    assert.deepEqual(await c.client.call('commit', { commit: commit2, added: [], removed: [b.peerId] }), { epoch: 3 });
    for (const other of [a, b]) await other.client.notification('commit', (data) => data.commit === commit2);
    assert.equal(
      (await b.client.request('commit', { commit: privateCommit(group, 3), added: [], removed: [] })).error?.code,
      'invalid-state',
    );

    // Each got exactly what was addressed to it, once.
    await settle();
    assert.deepEqual(heard(a.client, 'keyPackage'), [
      { from: b.peerId, keyPackage: opaque('kp-b') },
      { from: c.peerId, keyPackage: opaque('kp-c') },
    ]);
    assert.deepEqual(heard(b.client, 'keyPackage'), [{ from: c.peerId, keyPackage: opaque('kp-c') }]);
    assert.deepEqual(heard(c.client, 'keyPackage'), []);
    assert.deepEqual(heard(a.client, 'welcome'), []);
    assert.deepEqual(heard(b.client, 'welcome'), [{ welcome: opaque('welcome-b') }]);
    assert.deepEqual(heard(c.client, 'welcome'), [{ welcome: opaque('welcome-c') }]);
    assert.deepEqual(heard(a.client, 'commit'), [
      { from: b.peerId, commit: commit1 },
      { from: c.peerId, commit: commit2 },
    ]);
    assert.deepEqual(heard(b.client, 'commit'), [{ from: c.peerId, commit: commit2 }]);
    assert.deepEqual(heard(c.client, 'commit'), []);
    assert.deepEqual(
      [a, b, c].map(({ client }) => heard(client, 'createGroup')),
      [[], [], []],
    );
    await Promise.all([a, b, c].map(({ client }) => client.close()));
  });

  it('takes the largest commit with the largest Welcome in one message', async () => {
    const room = 'delivery-suite-room-000002';
    const a = await joined(room);
    const b = await joined(room);
    await b.client.call('publishKeyPackage', { keyPackage: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH) });
    const padding = Math.floor((MAX_MLS_PAYLOAD_LENGTH * 3) / 4) - (4 + 1 + 32 + 8 + 1);
    const commit = privateCommit(randomBytes(32), 0, { padding });
    assert.ok(commit.length <= MAX_MLS_PAYLOAD_LENGTH && commit.length > MAX_MLS_PAYLOAD_LENGTH - 4);
    const data = { commit, welcome: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH), added: [b.peerId], removed: [] };
    assert.ok(Buffer.byteLength(JSON.stringify({ type: 'request', id: 99, method: 'commit', data })) < MAX_MESSAGE_BYTES);
    assert.deepEqual(await a.client.call('commit', data), { epoch: 1 });
    assert.equal((await b.client.notification('welcome')).data.welcome.length, MAX_MLS_PAYLOAD_LENGTH);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('hands the group to the first who waits when its members leave', async () => {
    const room = 'delivery-suite-room-000003';
    const a = await joined(room);
    const b = await joined(room);
    const c = await joined(room);
    await b.client.call('publishKeyPackage', { keyPackage: opaque('kp-b') });
    await a.client.notification('keyPackage');
    assert.deepEqual(
      await a.client.call('commit', { commit: privateCommit(randomBytes(16), 0), welcome: opaque('w'), added: [b.peerId], removed: [] }),
      {
        epoch: 1,
      },
    );
    await c.client.call('publishKeyPackage', { keyPackage: opaque('kp-c') });
    await b.client.notification('keyPackage', (data) => data.from === c.peerId);

    // A leaves: B still holds the group, C keeps waiting.
    await a.client.call('leave', {});
    await c.client.notification('peerLeft', (data) => data.peerId === a.peerId);
    await settle();
    assert.deepEqual(heard(c.client, 'createGroup'), []);
    assert.deepEqual(heard(b.client, 'createGroup'), []);

    // B's socket closes: nobody holds the group, and C, waiting, starts a new one.
    await b.client.close();
    await c.client.notification('createGroup');
    assert.deepEqual(await c.client.call('commit', { commit: privateCommit(randomBytes(16), 0), added: [], removed: [] }), { epoch: 1 });

    // Someone new waits for C now.
    const d = await joined(room);
    assert.equal(d.group, 'join');
    await d.client.call('publishKeyPackage', { keyPackage: opaque('kp-d') });
    assert.deepEqual((await c.client.notification('keyPackage', (data) => data.from === d.peerId)).data, {
      from: d.peerId,
      keyPackage: opaque('kp-d'),
    });
    await settle();
    assert.deepEqual(heard(d.client, 'createGroup'), []);
    await Promise.all([a.client, c.client, d.client].map((client) => client.close()));
  });

  it('hands the restarted group the KeyPackages of the others waiting', async () => {
    const room = 'delivery-suite-room-000004';
    const a = await joined(room);
    const b = await joined(room);
    const c = await joined(room);
    await c.client.call('publishKeyPackage', { keyPackage: opaque('kp-c') });
    await b.client.call('publishKeyPackage', { keyPackage: opaque('kp-b') });
    await a.client.notification('keyPackage', (data) => data.from === b.peerId);
    await a.client.close();
    // C published first: it creates, with B's KeyPackage to add.
    await c.client.notification('keyPackage', (data) => data.from === b.peerId);
    assert.deepEqual(
      c.client.received
        .filter((message) => message.method === 'createGroup' || message.method === 'keyPackage')
        .map((message) => message.method),
      ['createGroup', 'keyPackage'],
    );
    const added = await c.client.call('commit', {
      commit: privateCommit(randomBytes(16), 0),
      welcome: opaque('w-b'),
      added: [b.peerId],
      removed: [],
    });
    assert.deepEqual(added, { epoch: 1 });
    assert.deepEqual((await b.client.notification('welcome')).data, { welcome: opaque('w-b') });
    await settle();
    assert.deepEqual(heard(b.client, 'createGroup'), []);
    await Promise.all([b.client, c.client].map((client) => client.close()));
  });

  it('lets a newcomer whose only member left before its KeyPackage came start the group', async () => {
    const room = 'delivery-suite-room-000005';
    const a = await joined(room);
    const b = await joined(room);
    assert.equal(b.group, 'join');
    await a.client.call('leave', {});
    await b.client.notification('peerLeft');
    await b.client.call('publishKeyPackage', { keyPackage: opaque('kp-b') });
    await b.client.notification('createGroup');
    assert.deepEqual(await b.client.call('commit', { commit: privateCommit(randomBytes(16), 0), added: [], removed: [] }), { epoch: 1 });
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('keeps every room’s group to itself', async () => {
    const [a, b] = [await joined('delivery-suite-room-000006'), await joined('delivery-suite-room-000006')];
    const [x, y] = [await joined('delivery-suite-room-000007'), await joined('delivery-suite-room-000007')];
    assert.deepEqual([a.group, b.group, x.group, y.group], ['create', 'join', 'create', 'join']);
    await y.client.call('publishKeyPackage', { keyPackage: opaque('kp-y') });
    await x.client.notification('keyPackage');
    // A cannot add Y (waiting in another room), and its commit reaches nobody there.
    const commit = { commit: privateCommit(randomBytes(16), 0), welcome: opaque('w'), added: [y.peerId], removed: [] };
    assert.equal((await a.client.request('commit', commit)).error?.code, 'not-found');
    assert.deepEqual(await x.client.call('commit', commit), { epoch: 1 });
    await settle();
    assert.deepEqual(heard(a.client, 'keyPackage'), []);
    assert.deepEqual(heard(b.client, 'welcome'), []);
    await Promise.all([a, b, x, y].map(({ client }) => client.close()));
  });

  it('tells a newcomer, after its Welcome, of the KeyPackages still waiting, so it can add them when the committer leaves', async () => {
    const room = 'delivery-suite-room-000008';
    const a = await joined(room);
    const b = await joined(room);
    const c = await joined(room);
    const group = randomBytes(16);
    await b.client.call('publishKeyPackage', { keyPackage: opaque('kp-b') });
    await c.client.call('publishKeyPackage', { keyPackage: opaque('kp-c') });
    await a.client.notification('keyPackage', (data) => data.from === c.peerId);
    // A's commit adds B only, as if C's KeyPackage came while A was making it.
    const addB = { commit: privateCommit(group, 0), welcome: opaque('w-b'), added: [b.peerId], removed: [] };
    assert.deepEqual(await a.client.call('commit', addB), { epoch: 1 });
    await b.client.notification('keyPackage', (data) => data.from === c.peerId);
    assert.deepEqual(
      b.client.received
        .filter((message) => message.method === 'welcome' || message.method === 'keyPackage')
        .map((message) => [message.method, message.data]),
      [
        ['welcome', { welcome: opaque('w-b') }],
        ['keyPackage', { from: c.peerId, keyPackage: opaque('kp-c') }],
      ],
    );
    // A leaves before adding C: B, the member left, does.
    await a.client.close();
    await b.client.notification('peerLeft', (data) => data.peerId === a.peerId);
    const addC = { commit: privateCommit(group, 1), welcome: opaque('w-c'), added: [c.peerId], removed: [a.peerId] };
    assert.deepEqual(await b.client.call('commit', addC), { epoch: 2 });
    assert.deepEqual((await c.client.notification('welcome')).data, { welcome: opaque('w-c') });
    await settle();
    assert.deepEqual([heard(b.client, 'createGroup'), heard(c.client, 'createGroup'), heard(c.client, 'keyPackage')], [[], [], []]);
    await Promise.all([b.client.close(), c.client.close()]);
  });

  it('logs nothing for any of it, and no id', async () => {
    for (let attempt = 0; attempt < 50 && server.app.get(RoomsService).roomCount > 0; attempt++) await sleep(50);
    assert.equal(server.app.get(RoomsService).roomCount, 0);
    const log = server.logged.join('');
    for (const id of ids) assert.ok(!log.includes(id), 'an id in the log');
    assert.deepEqual(server.logged, []);
  });
});

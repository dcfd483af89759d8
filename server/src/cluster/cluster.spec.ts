import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@raum/protocol';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { SignallingGateway } from '../signalling/signalling.gateway';
import { audioRtpParameters } from '../testing/media-fixtures';
import { startClusterNode } from '../testing/cluster-node';
import { startRedis, type TestRedis } from '../testing/redis';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';
import { ClusterService } from './cluster.service';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Two nodes sharing one Redis: a room lives on its home node, whichever node a participant's socket lands on. */
describe('rooms across nodes', () => {
  let redis: TestRedis;
  let nodes: TestServer[];
  let capabilities: unknown;
  let roomNumber = 0;
  const newRoom = () => `cluster-suite-room-${String(++roomNumber).padStart(6, '0')}`;
  const peersOn = (node: TestServer) => node.app.get(RoomsService).peerCount;
  const relayed = (node: TestServer) => node.app.get(SignallingGateway).relayed;
  const rtcPortOf = (node: TestServer) => node.app.get<RaumConfig>(RAUM_CONFIG).rtcPort;

  before(async () => {
    redis = await startRedis();
    nodes = [await startTestServer({ RAUM_REDIS_URL: redis.url }), await startTestServer({ RAUM_REDIS_URL: redis.url })];
    capabilities = nodes[0].app.get(MediaService).routerRtpCapabilities;
  });
  after(async () => {
    for (const node of nodes) await node.close().catch(() => undefined);
    await redis.stop();
  });

  async function joinVia(node: TestServer, roomId: string) {
    const client = await TestClient.connect(node.wsUrl);
    await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
    const joined = await client.call('join', { roomId, rtpCapabilities: capabilities as never, e2ee: true });
    return { client, ...(joined as { peerId: string; resumeToken: string; peers: Array<{ peerId: string }> }) };
  }

  /** Ada opens a new room through `node`; with the room's claim in Redis, the one key her join added. */
  async function joinWithClaim(node: TestServer, roomId: string) {
    const before = new Set((await redis.contents()).map(({ key }) => key));
    const ada = await joinVia(node, roomId);
    const claim = (await redis.contents()).find(({ key }) => key.startsWith('raum:room:') && !before.has(key));
    assert.ok(claim, 'the room is claimed in Redis');
    return { ada, claim };
  }

  it('puts people whose sockets land on different nodes into one room on its home node; their media stays where they landed and crosses over SRTP pipes', async () => {
    const room = newRoom();
    const ada = await joinVia(nodes[0], room);
    const ben = await joinVia(nodes[1], room);
    assert.deepEqual(
      ben.peers.map((other) => other.peerId),
      [ada.peerId],
      'Ben, on the other node, is in Ada’s room',
    );
    await ada.client.notification('peerJoined', (data) => data.peer.peerId === ben.peerId);
    assert.deepEqual(relayed(nodes[0]), { out: 0, in: 1 }, 'Ben’s socket is served at home...');
    assert.deepEqual(relayed(nodes[1]), { out: 1, in: 0 }, '...and kept where it landed');
    assert.equal(peersOn(nodes[0]), 2, 'both on the home node');
    assert.equal(peersOn(nodes[1]), 0, 'nobody in a room of its own on the other');

    // Each one's media is on the node their socket is on; Ben's stream crosses to Ada's node, pushed to her there.
    const adaRecv = await ada.client.call('createTransport', { direction: 'recv' });
    assert.equal(adaRecv.iceCandidates[0].port, rtcPortOf(nodes[0]));
    const { transportId, iceCandidates } = await ben.client.call('createTransport', { direction: 'send' });
    assert.equal(iceCandidates[0].port, rtcPortOf(nodes[1]), 'Ben sends to the node his socket is on');
    const { producerId } = await ben.client.call('produce', {
      transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: audioRtpParameters() as never,
    });
    assert.equal((await ada.client.pushed(producerId)).peerId, ben.peerId);
    const held = async (node: TestServer) => {
      const { routers, transports, producers, consumers } = await node.app.get(MediaService).census();
      return { routers, transports, producers, consumers };
    };
    // Ada's node: her transport, the pipe from Ben's node, his stream piped in, her consumer and the pipe's own.
    assert.deepEqual(await held(nodes[0]), { routers: 1, transports: 2, producers: 1, consumers: 1 });
    assert.deepEqual(await held(nodes[1]), { routers: 1, transports: 2, producers: 1, consumers: 1 });

    // A third, on the home node directly, and the relayed one leaving cleanly.
    const cem = await joinVia(nodes[0], room);
    assert.equal(cem.peers.length, 2);
    await ben.client.close();
    await ada.client.notification('peerLeft', (data) => data.peerId === ben.peerId);
    await until(() => peersOn(nodes[0]) === 2, 'Ben gone from the home node');
    await until(() => relayed(nodes[0]).in === 0 && relayed(nodes[1]).out === 0, 'the relay gone on both nodes');
    await Promise.all([ada.client.close(), cem.client.close()]);
    // Leaving cascades on both nodes: consumers, pipes, transports and both routers close.
    for (const node of nodes) {
      await until(async () => (await held(node)).routers === 0, `node ${nodes.indexOf(node)} holds nothing`);
      assert.deepEqual(await held(node), { routers: 0, transports: 0, producers: 0, consumers: 0 });
    }
  });

  it('gives everyone new transports when the worker under the room’s router on the other node dies', async () => {
    const room = newRoom();
    const ada = await joinVia(nodes[0], room);
    const ben = await joinVia(nodes[1], room);
    await ben.client.call('createTransport', { direction: 'recv' });
    const edge = nodes[1].app.get(MediaService);
    const [worker] = edge.workerPids;
    process.kill(worker!, 'SIGKILL');
    for (const client of [ada.client, ben.client]) await client.notification('mediaReset', () => true, 5000);
    await until(() => edge.workerPids.length === 1 && edge.workerPids[0] !== worker, 'the worker there started again');
    const again = await ben.client.call('createTransport', { direction: 'recv' });
    assert.equal(again.iceCandidates[0].port, rtcPortOf(nodes[1]), 'Ben is placed on his node again');
    await Promise.all([ada.client.close(), ben.client.close()]);
  });

  it('resumes a session through any node: the token names the node that has it', async () => {
    const room = newRoom();
    const ada = await joinVia(nodes[0], room);
    const ben = await joinVia(nodes[1], room);
    ben.client.vanish();
    for (const [via, direction] of [
      [nodes[1], 'recv'],
      [nodes[0], 'send'],
    ] as const) {
      const client = await TestClient.connect(via.wsUrl, { firstRequestId: ben.client.requestId });
      const answer = await client.request('resume', { token: ben.resumeToken, lastSeq: ben.client.seq, protocolVersion: PROTOCOL_VERSION });
      assert.equal(answer.ok, true, `resumed through node ${nodes.indexOf(via)}: ${JSON.stringify(answer.error)}`);
      ben.resumeToken = answer.data.resumeToken;
      ben.client = client;
      // Still in the room (a transport is for members only), relayed or not.
      assert.ok((await client.call('createTransport', { direction })).transportId);
      client.vanish();
    }
    assert.equal(peersOn(nodes[0]), 2, 'nobody left or joined on the way');
    await ada.client.close();
  });

  it('keeps nothing personal in Redis: node ids and hashed room ids, all expiring; and writes nothing to disk', async () => {
    const room = newRoom();
    const ada = await joinVia(nodes[0], room);
    const ben = await joinVia(nodes[1], room);
    const contents = await redis.contents();
    const nodeIds = nodes.map((node) => node.app.get(ClusterService).nodeId);
    assert.ok(contents.length >= 3, 'two nodes and at least this room');
    for (const { key, value, ttlMs } of contents) {
      assert.match(key, /^raum:(node:[A-Za-z0-9_-]{12}|room:[A-Za-z0-9_-]{22})$/);
      assert.ok(ttlMs > 0, `${key} expires`);
      if (key.startsWith('raum:node:')) assert.equal(value, '1');
      else assert.ok(nodeIds.includes(value), `a room’s value is its home node: ${value}`);
      for (const secret of [room, ada.peerId, ben.peerId, ada.resumeToken, ben.resumeToken, '127.0.0.1']) {
        assert.ok(!key.includes(secret) && !value.includes(secret), `${key} holds nothing of the room or its people`);
      }
    }
    assert.deepEqual(redis.files(), [], 'no RDB, no append-only file');
    await Promise.all([ada.client.close(), ben.client.close()]);
  });

  it('re-homes the rooms of a node that stopped: its relayed sockets are dropped, and the people come back on a survivor', async () => {
    const room = newRoom();
    const home = await startTestServer({ RAUM_REDIS_URL: redis.url });
    await joinVia(home, room);
    const ben = await joinVia(nodes[1], room);
    assert.equal(ben.peers.length, 1);
    await home.close();
    // The socket on the survivor was relayed to the home; it is dropped so that its client comes back.
    await until(() => !ben.client.open, 'the relayed socket dropped');
    const stale = await TestClient.connect(nodes[1].wsUrl);
    const resumed = await stale.request('resume', { token: ben.resumeToken, lastSeq: ben.client.seq, protocolVersion: PROTOCOL_VERSION });
    assert.equal(resumed.error?.code, 'resume-failed', 'that session was on the node that stopped');
    await stale.close();
    const again = await joinVia(nodes[1], room);
    assert.deepEqual(again.peers, [], 'a fresh room, now at home on the survivor');
    assert.equal(peersOn(nodes[1]), 1);
    await again.client.close();
  });

  it('knows a node whose process died as dead at once, not once its key expires: the first node asked takes its rooms', async () => {
    const room = newRoom();
    const crashing = await startClusterNode(redis.url, room);
    const survivor = nodes[1].app.get(ClusterService);
    assert.equal(await survivor.homeOf(room), crashing.nodeId, 'the room is at home in the other process');
    assert.ok(await survivor.alive(crashing.nodeId));
    await crashing.kill();
    await until(async () => !(await survivor.alive(crashing.nodeId)), 'the killed node known as dead', 1000);
    assert.equal(await survivor.homeOf(room), survivor.nodeId, 'the survivor is the room’s home now');
    const keys = (await redis.contents()).map(({ key }) => key);
    assert.ok(keys.includes(`raum:node:${crashing.nodeId}`), 'all that before the dead node’s key expired');
  });

  it('claims its rooms again when Redis lost the claims (a restart): a newcomer on another node still meets the people there', async () => {
    const room = newRoom();
    const { ada, claim } = await joinWithClaim(nodes[0], room);
    await redis.delete(claim.key);
    const home = nodes[0].app.get(ClusterService).nodeId;
    await until(async () => (await redis.contents()).some(({ key, value }) => key === claim.key && value === home), 'the claim made again');
    const ben = await joinVia(nodes[1], room);
    assert.deepEqual(
      ben.peers.map((other) => other.peerId),
      [ada.peerId],
    );
    // Out of the room before the next test counts who is on each node.
    for (const person of [ada, ben]) await person.client.call('leave', {});
    await Promise.all([ada.client.close(), ben.client.close()]);
  });

  it('sends the people of a room that another node took over (it took this one for dead) there: their sessions end, their sockets close as when a server goes away', async () => {
    const room = newRoom();
    const [here, there] = [peersOn(nodes[0]), peersOn(nodes[1])];
    const { ada, claim } = await joinWithClaim(nodes[0], room);
    assert.equal(claim.value, nodes[0].app.get(ClusterService).nodeId, 'Ada’s node is the room’s home');
    // As after a split: the other node found this one dead for a moment, and a newcomer made it the home there.
    await redis.set(claim.key, nodes[1].app.get(ClusterService).nodeId);
    await until(() => !ada.client.open, 'Ada’s socket closed', 5000);
    const { code } = await ada.client.closed;
    assert.equal(code, CLOSE_CODES.goingAway, 'Ada is told to come back');
    assert.equal(peersOn(nodes[0]), here, 'the room here is gone');
    const stale = await TestClient.connect(nodes[0].wsUrl);
    const resumed = await stale.request('resume', { token: ada.resumeToken, lastSeq: ada.client.seq, protocolVersion: PROTOCOL_VERSION });
    assert.equal(resumed.error?.code, 'resume-failed', 'her session is over');
    await stale.close();
    const again = await joinVia(nodes[0], room);
    assert.equal(peersOn(nodes[1]), there + 1, 'she joins again where the room is at home now');
    assert.equal(peersOn(nodes[0]), here);
    await again.client.close();
  });

  it('closes a relayed socket that stays out of a room past the join timeout: its home node decides, its edge closes it', async () => {
    const quick = [
      await startTestServer({ RAUM_REDIS_URL: redis.url, RAUM_JOIN_TIMEOUT_S: '1' }),
      await startTestServer({ RAUM_REDIS_URL: redis.url, RAUM_JOIN_TIMEOUT_S: '1' }),
    ];
    try {
      const room = newRoom();
      const ada = await joinVia(quick[0], room);
      const ben = await joinVia(quick[1], room);
      assert.deepEqual(relayed(quick[1]), { out: 1, in: 0 }, 'Ben’s socket lands on the other node and is served at home');
      await ben.client.call('leave', {});
      const left = Date.now();
      const { code } = await ben.client.closed;
      assert.equal(code, CLOSE_CODES.idle);
      assert.ok(Date.now() - left < 3000, 'closed about a join timeout after leaving');
      assert.ok(ada.client.open, 'Ada, still in the room, keeps hers');
      await ada.client.close();
    } finally {
      for (const node of quick) await node.close().catch(() => undefined);
    }
  });

  it('refuses a new join with server-busy while Redis is out of reach, rather than opening the meeting on one node only', async () => {
    await redis.stop();
    const client = await TestClient.connect(nodes[1].wsUrl);
    const answer = await client.request('join', { roomId: newRoom(), rtpCapabilities: capabilities as never, e2ee: true });
    assert.equal(answer.error?.code, 'server-busy');
    assert.equal(peersOn(nodes[1]), 0);
    await client.close();
  });
});

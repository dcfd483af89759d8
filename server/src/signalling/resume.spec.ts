import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@raum/protocol';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { videoRtpParameters } from '../testing/media-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SignallingGateway } from './signalling.gateway';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(message);
    await sleep(25);
  }
}

describe('sessions that outlive their sockets', () => {
  let server: TestServer;
  let capabilities: unknown;
  const rooms = () => server.app.get(RoomsService);

  before(async () => {
    server = await startTestServer({
      RAUM_HEARTBEAT_MS: '200',
      RAUM_HEARTBEAT_TIMEOUT_MS: '600',
      RAUM_RESUME_GRACE_S: '2',
      RAUM_JOIN_TIMEOUT_S: '1',
    });
    capabilities = server.app.get(MediaService).routerRtpCapabilities;
  });
  after(() => server.close());

  async function joined(room: string): Promise<{ client: TestClient; peerId: string; resumeToken: string }> {
    const client = await TestClient.connect(server.wsUrl);
    const { peerId, resumeToken } = await client.call('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: true });
    return { client, peerId, resumeToken };
  }

  async function resume(old: TestClient, token: string): Promise<{ client: TestClient; answer: any }> {
    const client = await TestClient.connect(server.wsUrl, { firstRequestId: old.requestId });
    const answer = await client.request('resume', { token, lastSeq: old.seq, protocolVersion: PROTOCOL_VERSION });
    return { client, answer };
  }

  it('pings a quiet client, and gives a silent one up after three heartbeat timeouts', async () => {
    const client = await TestClient.connect(server.wsUrl, { silent: true });
    await client.call('join', { roomId: 'resume-suite-room-silent', rtpCapabilities: capabilities as never, e2ee: true });
    const started = Date.now();
    await client.next((message) => message.type === 'ping', 1000);
    const { code } = await client.closed;
    const noticed = Date.now() - started;
    assert.equal(code, 1006, 'dropped without a closing handshake');
    assert.ok(noticed >= 1800 && noticed < 2600, `dropped after ${noticed} ms`);
  });

  it('does not blame its own standstill on the clients', async () => {
    const { client } = await joined('resume-suite-room-standstill');
    // The whole process stands still for longer than the server waits for a client; the client's pings wait unread meanwhile.
    const until = Date.now() + 2500;
    while (Date.now() < until);
    await sleep(1000);
    assert.equal(client.open, true, 'the socket is still open');
    assert.equal(countSockets(), 1);
    await client.close();
  });

  it('keeps a peer whose socket died, replays what it missed once, and the others see no leave', async () => {
    const before = events();
    const room = 'resume-suite-room-0000001';
    const ada = await joined(room);
    const ben = await joined(room);
    const send = await ada.client.call('createTransport', { direction: 'send' });
    await ada.client.call('produce', {
      transportId: send.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: videoRtpParameters() as never,
    });
    await ben.client.notification('producerAdded');

    // Ada's network goes away silently. A last request of hers reaches the server; its answer does not reach her.
    ada.client.vanish();
    const lastRequest = ada.client.requestId;
    ada.client.socket.send(JSON.stringify({ type: 'request', id: lastRequest, method: 'createTransport', data: { direction: 'recv' } }));
    await eventually(
      () => server.app.get(SignallingGateway).sessionCount === 2 && rooms().peerCount === 2 && countSockets() === 1,
      'the server gives the silent socket up',
    );

    // Meanwhile: Ben writes to the group and publishes his KeyPackage (Ada holds the group), Cem joins.
    await ben.client.call('sendGroupMessage', { payload: 'aGVsbG8' });
    await ben.client.call('publishKeyPackage', { keyPackage: 'a2V5' });
    const cem = await joined(room);

    const { client, answer } = await resume(ada.client, ada.resumeToken);
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    assert.equal(answer.seq, undefined, 'the answer is outside the sequence');
    assert.equal(answer.data.lastRequestId, lastRequest);
    assert.notEqual(answer.data.resumeToken, ada.resumeToken, 'a new token each time');
    await client.notification('peerJoined', (data) => data.peer.peerId === cem.peerId);
    const replayed = client.received.filter((message) => message.seq !== undefined);
    assert.deepEqual(
      replayed.map((message) => message.seq),
      replayed.map((_, index) => ada.client.seq + 1 + index),
      'the replay continues the sequence without gaps',
    );
    assert.deepEqual(
      replayed.map((message) => message.method ?? `response ${message.id}`),
      [`response ${lastRequest}`, 'groupMessage', 'keyPackage', 'peerJoined'],
    );
    assert.equal(replayed[0].ok, true, 'the lost answer arrives');
    assert.deepEqual(replayed[1].data, { from: ben.peerId, payload: 'aGVsbG8' });
    assert.deepEqual(replayed[2].data, { from: ben.peerId, keyPackage: 'a2V5' });

    // The session goes on: a request on the new socket works, and nobody saw Ada leave.
    assert.equal((await client.request('sendGroupMessage', { payload: 'YmFjaw' })).ok, true);
    await ben.client.notification('groupMessage', (data) => data.from === ada.peerId);
    assert.equal(
      ben.client.received.some((message) => message.method === 'peerLeft'),
      false,
    );
    assert.equal(rooms().peerCount, 3);
    assert.equal((await server.app.get(MediaService).census()).producers, 1, 'her camera stayed on the SFU');

    // The old token works no more.
    const stale = await resume(ada.client, ada.resumeToken);
    assert.equal(stale.answer.error?.code, 'resume-failed');
    assert.deepEqual(since(before), { silentSockets: 1, resumes: 1, failedResumes: 1, expiredGraces: 0, kicks: 0 }, 'as /health counts it');
    await Promise.all([client, ben.client, cem.client, stale.client].map((each) => each.close()));
  });

  it('lets the peer go when the grace period passes; a late resume fails', async () => {
    const before = events();
    const room = 'resume-suite-room-0000002';
    const ada = await joined(room);
    const ben = await joined(room);
    const started = Date.now();
    ada.client.vanish();
    await ben.client.notification('peerLeft', (data) => data.peerId === ada.peerId, 7000);
    const gone = Date.now() - started;
    assert.ok(gone >= 3800 && gone < 5300, `left after ${gone} ms (silence 1.8 s + grace 2 s)`);
    const late = await resume(ada.client, ada.resumeToken);
    assert.equal(late.answer.error?.code, 'resume-failed');
    assert.deepEqual(since(before), { silentSockets: 1, resumes: 0, failedResumes: 1, expiredGraces: 1, kicks: 0 }, 'as /health counts it');
    assert.equal(late.client.open, true, 'the socket stays, to join afresh');
    assert.equal((await late.client.request('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: true })).ok, true);
    await Promise.all([ben.client, late.client].map((each) => each.close()));
  });

  it('refuses to resume from a point it cannot continue from, and to resume twice on one socket', async () => {
    const room = 'resume-suite-room-0000003';
    const ada = await joined(room);
    ada.client.vanish();
    const client = await TestClient.connect(server.wsUrl);
    const future = await client.request('resume', {
      token: ada.resumeToken,
      lastSeq: ada.client.seq + 50,
      protocolVersion: PROTOCOL_VERSION,
    });
    assert.equal(future.error?.code, 'resume-failed');
    const other = await joined(room);
    assert.equal(
      (await other.client.request('resume', { token: other.resumeToken, lastSeq: 0, protocolVersion: PROTOCOL_VERSION })).error?.code,
      'invalid-state',
    );
    await Promise.all([client, other.client].map((each) => each.close()));
  });

  it('closes sockets that do not join in time', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const started = Date.now();
    const { code } = await client.closed;
    assert.equal(code, CLOSE_CODES.idle);
    assert.ok(Date.now() - started < 2000);
  });

  function events(): Record<string, number> {
    return { ...server.app.get(SignallingGateway).sessionEvents };
  }

  function since(before: Record<string, number>): Record<string, number> {
    const now = events();
    return Object.fromEntries(Object.keys(now).map((key) => [key, now[key] - before[key]]));
  }

  function countSockets(): number {
    return (server.app.get(SignallingGateway) as unknown as { sockets: Map<unknown, unknown> }).sockets.size;
  }
});

describe('draining for a restart', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RAUM_DRAIN_S: '1' });
  });
  after(() => server.close());

  it('tells everyone, takes nobody new, lets the call go on, then closes with 1001', async () => {
    const capabilities = server.app.get(MediaService).routerRtpCapabilities;
    const ada = await TestClient.connect(server.wsUrl);
    await ada.call('join', { roomId: 'drain-suite-room-00000001', rtpCapabilities: capabilities, e2ee: true });
    const started = Date.now();
    const drained = server.app.get(SignallingGateway).drain();
    assert.deepEqual((await ada.notification('serverDraining')).data, { closesInMs: 1000 });
    const late = await TestClient.connect(server.wsUrl);
    assert.equal(
      (await late.request('join', { roomId: 'drain-suite-room-00000002', rtpCapabilities: capabilities, e2ee: true })).error?.code,
      'server-draining',
    );
    assert.equal((await ada.request('sendGroupMessage', { payload: 'c3RpbGwgaGVyZQ' })).ok, true, 'the call goes on meanwhile');
    const [{ code }] = await Promise.all([ada.closed, drained]);
    assert.equal(code, CLOSE_CODES.goingAway);
    assert.ok(Date.now() - started >= 950);
    assert.equal(server.app.get(RoomsService).roomCount, 0);
  });
});

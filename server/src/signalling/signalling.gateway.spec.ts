import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@raum/protocol';
import { randomBytes } from 'node:crypto';
import { MediaService } from '../media/media.service';
import { hostRoomId } from '../rooms/host-link';
import { RoomsService } from '../rooms/rooms.service';
import { audioRtpParameters, videoRtpParameters } from '../testing/media-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

const roomId = 'signalling-suite-room-0001';

describe('signalling over a real WebSocket and a real worker', () => {
  let server: TestServer;
  let capabilities: unknown;

  before(async () => {
    server = await startTestServer();
    capabilities = server.app.get(MediaService).routerRtpCapabilities;
  });
  after(() => server.close());

  const census = () => server.app.get(MediaService).census();
  const health = async () => (await fetch(`${server.httpUrl}/health`)).json();

  async function joined(
    room = roomId,
    { e2ee = true, requireE2ee, hostKey }: { e2ee?: boolean; requireE2ee?: boolean; hostKey?: string } = {},
  ): Promise<{ client: TestClient; peerId: string; peers: any[]; answer: any }> {
    const client = await TestClient.connect(server.wsUrl);
    const answer = await client.call('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee, requireE2ee, hostKey });
    return { client, peerId: answer.peerId, peers: answer.peers, answer };
  }

  it('answers capabilities with the routers’ RTP capabilities and its heartbeat', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const data = await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
    assert.equal(data.protocolVersion, PROTOCOL_VERSION);
    assert.deepEqual(data.heartbeat, { intervalMs: 2000, timeoutMs: 5000 });
    assert.ok(data.routerRtpCapabilities.codecs.some((codec: { mimeType: string }) => codec.mimeType === 'video/VP8'));
    // Audio levels would tell the server who speaks when: the SFU does not offer that extension.
    const extensions = (data.routerRtpCapabilities.headerExtensions ?? []).map((extension: { uri: string }) => extension.uri);
    assert.ok(extensions.includes('urn:ietf:params:rtp-hdrext:sdes:mid'), `header extensions: ${extensions.join(', ')}`);
    assert.ok(!extensions.some((uri: string) => uri.includes('audio-level')), `header extensions: ${extensions.join(', ')}`);
    await client.close();
  });

  it('tells a client of another protocol version to update itself', async () => {
    const client = await TestClient.connect(server.wsUrl);
    for (const data of [{}, { protocolVersion: 1 }, { protocolVersion: PROTOCOL_VERSION + 1 }]) {
      assert.equal((await client.request('capabilities', data)).error?.code, 'upgrade-required', JSON.stringify(data));
    }
    const resume = await client.request('resume', { token: 'A'.repeat(43), lastSeq: 0, protocolVersion: 1 });
    assert.equal(resume.error?.code, 'upgrade-required');
    await client.close();
  });

  it('answers malformed, oversized, binary and unknown messages with typed errors and keeps the connection', async () => {
    const client = await TestClient.connect(server.wsUrl, { firstRequestId: 100 });
    const cases: Array<[string | Uint8Array, string, number | null]> = [
      ['{"type":"request",', 'bad-request', null],
      ['"just a string"', 'bad-request', null],
      [JSON.stringify({ type: 'request', id: 5, method: 'fly', data: {} }), 'bad-request', 5],
      [JSON.stringify({ type: 'request', id: 6, method: 'join', data: { roomId: '../../etc', rtpCapabilities: {} } }), 'bad-request', 6],
      [
        JSON.stringify({ type: 'request', id: 7, method: 'capabilities', data: { x: 'y'.repeat(MAX_MESSAGE_BYTES) } }),
        'message-too-large',
        null,
      ],
      [JSON.stringify({ type: 'request', id: 3, method: 'capabilities', data: {} }), 'bad-request', 3],
      [new Uint8Array([1, 2, 3]), 'bad-request', null],
    ];
    for (const [payload, code, id] of cases) {
      const response = await client.sendRaw(payload);
      assert.equal(response.ok, false);
      assert.equal(response.error?.code, code);
      assert.equal(response.id, id);
      assert.ok(client.open, 'the connection survives');
    }
    // And the same connection still works.
    assert.equal((await client.request('capabilities', { protocolVersion: PROTOCOL_VERSION })).ok, true);
    await client.close();
  });

  it('refuses requests out of order with invalid-state and changes nothing', async () => {
    const client = await TestClient.connect(server.wsUrl);
    for (const [method, data] of [
      ['createTransport', { direction: 'send' }],
      ['produce', { transportId: 't', kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() }],
      ['resumeConsumer', { consumerId: 'c' }],
      ['pauseConsumer', { consumerId: 'c' }],
      ['setPreferredLayers', { consumerId: 'c', spatialLayer: 0 }],
      ['leave', {}],
    ] as const) {
      const response = await client.request(method, data);
      assert.equal(response.error?.code, 'invalid-state', method);
    }
    assert.equal((await census()).routers, 0);
    await client.close();
  });

  it('runs a whole session: join, transports, produce, consume paused, pause, resume, leave', async () => {
    const a = await joined(roomId);
    assert.deepEqual(a.peers, []);
    assert.equal(a.answer.group, 'create');
    const b = await joined(roomId, { e2ee: false });
    assert.equal(b.answer.group, 'join');
    // The server knows no names: neither the join answer nor peerJoined carries one.
    assert.deepEqual(Object.keys(b.answer).sort(), [
      'group',
      'iceServers',
      'iceTransportPolicy',
      'knocks',
      'lobby',
      'locked',
      'peerId',
      'peers',
      'resumeToken',
    ]);
    assert.deepEqual(b.peers, [{ peerId: a.peerId, e2ee: true, host: false, producers: [] }]);
    assert.deepEqual((await a.client.notification('peerJoined')).data, {
      peer: { peerId: b.peerId, e2ee: false, host: false, producers: [] },
    });
    // A name sent the old way is refused, and nobody hears of it.
    const named = await TestClient.connect(server.wsUrl);
    const refused = await named.request('join', { roomId, displayName: 'Ada', rtpCapabilities: capabilities as never, e2ee: true });
    assert.equal(refused.error?.code, 'bad-request');
    assert.doesNotMatch(JSON.stringify(refused), /Ada/);
    await named.close();
    assert.equal(a.client.received.filter((message) => message.method === 'peerJoined').length, 1);

    // Joining twice on one connection is out of order.
    assert.equal(
      (await a.client.request('join', { roomId, rtpCapabilities: capabilities as never, e2ee: true })).error?.code,
      'invalid-state',
    );

    const send = await a.client.call('createTransport', { direction: 'send' });
    assert.ok(send.iceCandidates.length > 0);
    assert.ok(send.iceCandidates.every((candidate: { address: string }) => candidate.address === '127.0.0.1'));
    const { producerId } = await a.client.call('produce', {
      transportId: send.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: videoRtpParameters() as never,
    });
    const added = await b.client.notification('producerAdded');
    assert.deepEqual(added.data, { peerId: a.peerId, producer: { producerId, kind: 'video', source: 'camera', paused: false } });
    // Someone joining now learns of the producer with the join answer.
    const late = await joined();
    assert.deepEqual(late.peers.find((peer) => peer.peerId === a.peerId)?.producers, [added.data.producer]);
    await late.client.close();
    await b.client.notification('peerLeft', (data) => data.peerId === late.peerId);

    // Parameters mediasoup rejects are the client's error, and leave nothing behind.
    const broken = await a.client.request('produce', {
      transportId: send.transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: { ...audioRtpParameters(), codecs: [{ mimeType: 'audio/unknown', payloadType: 100, clockRate: 8000 }] },
    });
    assert.equal(broken.error?.code, 'unsupported');

    assert.equal((await census()).consumers, 0, 'no consumer before a recv transport');
    await b.client.call('createTransport', { direction: 'recv' });
    // The server pushes what B can receive, paused.
    const consumer = await b.client.pushed(producerId);
    assert.equal(consumer.peerId, a.peerId);
    assert.equal(consumer.kind, 'video');
    assert.equal(consumer.producerPaused, false);

    let now = await census();
    assert.deepEqual(now, { workers: 1, routers: 1, transports: 2, producers: 1, consumers: 1, workerRestarts: 0 });

    await b.client.call('resumeConsumer', { consumerId: consumer.consumerId });
    await a.client.call('pauseProducer', { producerId });
    assert.equal((await b.client.notification('producerPaused')).data.producerId, producerId);
    await a.client.call('resumeProducer', { producerId });
    assert.equal((await b.client.notification('producerResumed')).data.producerId, producerId);

    // A's connection drops: B hears it, and A's transport, producer and B's consumer are gone.
    await a.client.close();
    await b.client.notification('peerLeft', (data) => data.peerId === a.peerId);
    now = await census();
    assert.deepEqual(now, { workers: 1, routers: 1, transports: 1, producers: 0, consumers: 0, workerRestarts: 0 });

    await b.client.call('leave', {});
    assert.deepEqual(await census(), { workers: 1, routers: 0, transports: 0, producers: 0, consumers: 0, workerRestarts: 0 });
    // After leaving, the same connection may join again.
    await b.client.call('join', { roomId, rtpCapabilities: capabilities as never, e2ee: true });
    await b.client.close();
  });

  it('closes the room when the last socket drops, as /health reports', async () => {
    const a = await joined('health-suite-room-000001');
    const b = await joined('health-suite-room-000001');
    await a.client.call('createTransport', { direction: 'send' });
    assert.equal((await server.app.get(RoomsService)).roomCount, 1);
    await Promise.all([a.client.close(), b.client.close()]);
    // Sockets close asynchronously on the server side too, and the details are cached for a second.
    for (let attempt = 0; attempt < 50 && (await health()).rooms !== 0; attempt++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await health(), {
      status: 'ok',
      rooms: 0,
      peers: 0,
      sockets: 0,
      sessions: 0,
      protocolErrors: 0,
      relayedOut: 0,
      relayedIn: 0,
      sessionEvents: { silentSockets: 0, resumes: 0, failedResumes: 0, expiredGraces: 0, kicks: 0 },
      workers: 1,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
      workerRestarts: 0,
    });
  });

  it('relays group messages to all others without reading them', async () => {
    const room = 'relay-suite-room-00000001';
    const [a, b, c] = [await joined(room), await joined(room), await joined(room)];
    await a.client.call('sendGroupMessage', { payload: 'Zm9yLWFsbA' });
    for (const other of [b, c])
      assert.deepEqual((await other.client.notification('groupMessage')).data, { from: a.peerId, payload: 'Zm9yLWFsbA' });
    await c.client.call('sendGroupMessage', { payload: 'c2VjcmV0LWNoYXQ' });
    for (const other of [a, b])
      assert.deepEqual((await other.client.notification('groupMessage', (data) => data.from === c.peerId)).data, {
        from: c.peerId,
        payload: 'c2VjcmV0LWNoYXQ',
      });

    assert.equal((await a.client.request('sendGroupMessage', { payload: 'not base64!' })).error?.code, 'bad-request');
    // There is no addressing one peer: a group message goes to everyone or to nobody.
    assert.equal((await a.client.request('sendGroupMessage', { to: b.peerId, payload: 'eA' })).error?.code, 'bad-request');
    await b.client.call('sendGroupMessage', { payload: 'Yg' });
    await Promise.all([a, c].map(({ client }) => client.notification('groupMessage', (data) => data.from === b.peerId)));
    // Each got what the others sent, once, and none of its own.
    const heard = (client: TestClient) =>
      client.received.filter((message) => message.method === 'groupMessage').map((message) => message.data.from);
    assert.deepEqual(heard(a.client), [c.peerId, b.peerId]);
    assert.deepEqual(heard(b.client), [a.peerId, c.peerId]);
    assert.deepEqual(heard(c.client), [a.peerId, b.peerId]);
    await Promise.all([a, b, c].map(({ client }) => client.close()));
  });

  it('keeps browsers without end-to-end encryption out of a room whose link requires it', async () => {
    const room = 'required-suite-room-00001';
    const a = await joined(room, { requireE2ee: true });
    const refused = await TestClient.connect(server.wsUrl);
    const response = await refused.request('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: false });
    assert.equal(response.error?.code, 'e2ee-required');
    assert.equal(server.app.get(RoomsService).peerCount, 1);
    // The same browser may still open another room.
    assert.equal(
      (await refused.request('join', { roomId: 'another-suite-room-000001', rtpCapabilities: capabilities as never, e2ee: false })).ok,
      true,
    );
    await Promise.all([a.client.close(), refused.close()]);
  });

  it('makes a host of whoever brings the key the room id commits to, again after the room was forgotten, and of nobody else', async () => {
    const hostKey = randomBytes(16).toString('base64url');
    const room = hostRoomId(hostKey);
    const rooms = server.app.get(RoomsService);
    const guest = await joined(room);
    const forger = await TestClient.connect(server.wsUrl);
    const forged = await forger.request('join', {
      roomId: room,
      rtpCapabilities: capabilities as never,
      e2ee: true,
      hostKey: randomBytes(16).toString('base64url'),
    });
    assert.equal(forged.error?.code, 'forbidden');
    assert.equal(rooms.peerCount, 1, 'a forged host key changes nothing');
    assert.equal(guest.client.received.filter((message) => message.method === 'peerJoined').length, 0);
    // A key of another hosted room is forged for this one too.
    const elsewhere = randomBytes(16).toString('base64url');
    const misplaced = await forger.request('join', {
      roomId: room,
      rtpCapabilities: capabilities as never,
      e2ee: true,
      hostKey: elsewhere,
    });
    assert.equal(misplaced.error?.code, 'forbidden');

    const host = await joined(room, { hostKey });
    assert.equal(host.peers.find((peer) => peer.peerId === guest.peerId)?.host, false, 'the guest link never makes a host');
    const seen = await guest.client.notification('peerJoined', (data) => data.peer.peerId === host.peerId);
    assert.equal(seen.data.peer.host, true);

    // Everyone leaves; the server forgets the room. The host comes back and is host again.
    await Promise.all([guest.client.close(), host.client.close(), forger.close()]);
    for (let attempt = 0; attempt < 50 && rooms.roomCount !== 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(rooms.roomCount, 0);
    const back = await joined(room, { hostKey });
    const newcomer = await joined(room);
    assert.equal(newcomer.peers.find((peer) => peer.peerId === back.peerId)?.host, true);
    await Promise.all([back.client.close(), newcomer.client.close()]);
  });

  it('logs nothing for client mistakes', () => {
    assert.deepEqual(server.logged, []);
  });
});

describe('an operator requiring end-to-end encryption everywhere', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RAUM_REQUIRE_E2EE: 'true' });
  });
  after(() => server.close());

  it('says so to clients and refuses browsers without it in every room', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const { requireE2ee, routerRtpCapabilities } = await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
    assert.equal(requireE2ee, true);
    const response = await client.request('join', {
      roomId: 'operator-required-room-01',
      rtpCapabilities: routerRtpCapabilities,
      e2ee: false,
    });
    assert.equal(response.error?.code, 'e2ee-required');
    assert.equal(
      (await client.request('join', { roomId: 'operator-required-room-01', rtpCapabilities: routerRtpCapabilities, e2ee: true })).ok,
      true,
    );
    await client.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_MLS_PAYLOAD_LENGTH, MAX_PAYLOAD_LENGTH } from '@raum/protocol';
import { MediaService } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { audioRtpParameters, videoRtpParameters } from '../testing/media-fixtures';
import { RefusedError, TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';
import { Admission } from './admission';
import { SignallingGateway } from './signalling.gateway';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusal(attempt: Promise<TestClient>): Promise<number> {
  try {
    await (await attempt).close();
    return 101;
  } catch (error) {
    assert.ok(error instanceof RefusedError, String(error));
    return error.status;
  }
}

/** Nobody can take the server down alone: each limit, enforced, with a typed answer. */
describe('limits', () => {
  let server: TestServer;
  let capabilities: unknown;
  let roomNumber = 0;
  const census = () => server.app.get(MediaService).census();

  before(async () => {
    server = await startTestServer({ RAUM_MAX_ROOMS: '3', RAUM_MAX_INCOMING_BITRATE: '2000000', RAUM_MAX_SEND_BUFFER: '65536' });
    capabilities = server.app.get(MediaService).routerRtpCapabilities;
  });
  after(() => server.close());

  const newRoom = () => `limits-suite-room-${String(++roomNumber).padStart(7, '0')}`;
  const kicked = () => server.app.get(SignallingGateway).sessionEvents.kicks;

  async function joined(room: string): Promise<{ client: TestClient; peerId: string }> {
    const client = await TestClient.connect(server.wsUrl);
    const { peerId } = await client.call('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: true });
    return { client, peerId };
  }

  async function sender(room: string): Promise<{ client: TestClient; transportId: string; producerId: string }> {
    const { client } = await joined(room);
    const { transportId } = await client.call('createTransport', { direction: 'send' });
    const { producerId } = await client.call('produce', {
      transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: videoRtpParameters() as never,
    });
    return { client, transportId, producerId };
  }

  it('accepts an upgrade only from its own origin, and refuses the rest at the HTTP layer', async () => {
    assert.equal(await refusal(TestClient.connect(server.wsUrl, { origin: 'https://evil.example' })), 403);
    assert.equal(await refusal(TestClient.connect(server.wsUrl, { origin: null })), 403);
    assert.equal(await refusal(TestClient.connect(server.wsUrl, { origin: server.httpUrl.replace(/:\d+$/, ':1') })), 403);
    assert.equal(await refusal(TestClient.connect(server.wsUrl)), 101);
    assert.equal(server.app.get(Admission).openSockets, 0);
  });

  it('pushes one consumer per stream and peer, even for a stream sent while the receive transport is being made', async () => {
    const room = newRoom();
    const { client: ada } = await joined(room);
    const { transportId } = await ada.call('createTransport', { direction: 'send' });
    await ada.call('createTransport', { direction: 'recv' });
    const { client: ben } = await joined(room);
    const [, produced] = await Promise.all([
      ben.call('createTransport', { direction: 'recv' }),
      ada.call('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() }),
    ]);
    await ben.pushed(produced.producerId);
    // Both paths (the new transport, the new producer) may try: one consumer, one notification.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await census()).consumers, 1);
    const pushes = (client: TestClient) => client.received.filter((message) => message.method === 'newConsumer').length;
    assert.deepEqual([pushes(ben), pushes(ada)], [1, 0], 'nobody receives their own stream');
    await Promise.all([ada.close(), ben.close()]);
  });

  it('connects a transport once', async () => {
    const { client } = await joined(newRoom());
    const { transportId, dtlsParameters } = await client.call('createTransport', { direction: 'send' });
    const dtls = { role: 'client', fingerprints: dtlsParameters.fingerprints };
    assert.equal((await client.request('connectTransport', { transportId, dtlsParameters: dtls })).ok, true);
    assert.equal((await client.request('connectTransport', { transportId, dtlsParameters: dtls })).error?.code, 'invalid-state');
    await client.close();
  });

  it('finds nothing by the real ids of another peer or another room', async () => {
    const room = newRoom();
    const ada = await sender(room);
    const { client: ben } = await joined(room);
    const recv = await ben.call('createTransport', { direction: 'recv' });
    const { consumerId } = await ben.pushed(ada.producerId);
    const elsewhere = await sender(newRoom());
    const cases: Array<[TestClient, string, Record<string, unknown>]> = [
      [ben, 'closeProducer', { producerId: ada.producerId }],
      [ben, 'pauseProducer', { producerId: ada.producerId }],
      [
        ben,
        'connectTransport',
        { transportId: ada.transportId, dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } },
      ],
      [ben, 'restartIce', { transportId: ada.transportId }],
      [ben, 'produce', { transportId: ada.transportId, kind: 'audio', source: 'microphone', rtpParameters: audioRtpParameters() }],
      [ada.client, 'resumeConsumer', { consumerId }],
      [elsewhere.client, 'restartIce', { transportId: recv.transportId }],
    ];
    for (const [client, method, data] of cases) {
      assert.equal((await client.request(method as never, data)).error?.code, 'not-found', `${method} ${JSON.stringify(data)}`);
    }
    const now = await census();
    assert.deepEqual([now.producers, now.consumers, now.transports], [2, 1, 3], 'nothing changed');
    await Promise.all([ada.client, ben, elsewhere.client].map((client) => client.close()));
  });

  it('takes at most three simulcast layers of video and one of audio', async () => {
    const { client } = await joined(newRoom());
    const { transportId } = await client.call('createTransport', { direction: 'send' });
    const layers = (count: number) => ({
      ...videoRtpParameters(),
      encodings: Array.from({ length: count }, (_, index) => ({ ssrc: 5000 + index })),
    });
    assert.equal(
      (await client.request('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: layers(4) })).error?.code,
      'bad-request',
    );
    assert.equal((await census()).producers, 0);
    assert.equal((await client.request('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: layers(3) })).ok, true);
    const audio = { ...audioRtpParameters(), encodings: [{ ssrc: 7001 }, { ssrc: 7002 }] };
    assert.equal(
      (await client.request('produce', { transportId, kind: 'audio', source: 'microphone', rtpParameters: audio })).error?.code,
      'bad-request',
    );
    assert.equal((await census()).producers, 1);
    await client.close();
  });

  it('limits group messages (chat, names) in size and rate', async () => {
    const room = newRoom();
    const { client } = await joined(room);
    const { client: other } = await joined(room);
    const big = await client.request('sendGroupMessage', { payload: 'A'.repeat(MAX_PAYLOAD_LENGTH + 1) });
    assert.equal(big.error?.code, 'bad-request');
    const answers = [await client.request('sendGroupMessage', { payload: 'A'.repeat(MAX_PAYLOAD_LENGTH) })];
    assert.equal(answers[0].ok, true, 'the largest group message passes');
    for (let index = 1; index < 14; index++) answers.push(await client.request('sendGroupMessage', { payload: 'aGk' }));
    const limited = answers.filter((answer) => answer.error?.code === 'rate-limited').length;
    assert.ok(limited >= 3 && limited <= 4, `${limited} of 14 group messages limited (burst 10, 2 per second)`);
    await sleep(200);
    const relayed = other.received.filter((message) => message.method === 'groupMessage');
    assert.equal(relayed.length, 14 - limited);
    assert.equal(relayed[0].data.payload.length, MAX_PAYLOAD_LENGTH, 'the oversized one was not relayed');
    await Promise.all([client.close(), other.close()]);
  });

  it('limits KeyPackages in size', async () => {
    const room = newRoom();
    const { client: member } = await joined(room);
    const { client: newcomer, peerId } = await joined(room);
    const big = await newcomer.request('publishKeyPackage', { keyPackage: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH + 1) });
    assert.equal(big.error?.code, 'bad-request');
    const largest = 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH);
    assert.equal((await newcomer.request('publishKeyPackage', { keyPackage: largest })).ok, true, 'the largest KeyPackage passes');
    assert.deepEqual((await member.notification('keyPackage')).data, { from: peerId, keyPackage: largest });
    await sleep(100);
    assert.equal(member.received.filter((message) => message.method === 'keyPackage').length, 1, 'the oversized one was not relayed');
    await Promise.all([member.close(), newcomer.close()]);
  });

  it('refuses a room past the server’s limit with server-busy', async () => {
    const opened = [];
    // Earlier tests closed their rooms; three may be open at once.
    for (let index = 0; index < 3; index++) opened.push(await joined(newRoom()));
    const client = await TestClient.connect(server.wsUrl);
    const refused = await client.request('join', { roomId: newRoom(), rtpCapabilities: capabilities as never, e2ee: true });
    assert.equal(refused.error?.code, 'server-busy');
    assert.equal(server.app.get(RoomsService).roomCount, 3);
    // Joining a room that exists still works.
    assert.equal(
      (
        await client.request('join', {
          roomId: `limits-suite-room-${String(roomNumber - 1).padStart(7, '0')}`,
          rtpCapabilities: capabilities as never,
          e2ee: true,
        })
      ).ok,
      true,
    );
    await Promise.all([client, ...opened.map(({ client }) => client)].map((each) => each.close()));
  });

  it('answers a burst with rate-limited errors before reading it, and cuts a flood off', async () => {
    const room = newRoom();
    const { client } = await joined(room);
    const { client: other } = await joined(room);
    const kicks = kicked();
    const frames = 130;
    for (let index = 0; index < frames; index++) client.socket.send('{"this is": "not even read"');
    await sleep(300);
    const answers = client.received.filter((message) => message.type === 'response' && message.id === null);
    const limited = answers.filter((message) => message.error?.code === 'rate-limited').length;
    assert.ok(limited >= 25, `${limited} rate-limited answers`);
    assert.equal(answers.length - limited, frames - limited, 'the rest were read (and refused as not JSON)');
    assert.ok(client.open, 'a burst is not yet a flood');
    for (let index = 0; index < 300; index++) if (client.open) client.socket.send('{}');
    const { code } = await client.closed;
    assert.equal(code, 1006, 'cut off');
    await other.notification('peerLeft');
    assert.equal(kicked() - kicks, 1, 'as /health counts it');
    await other.close();
  });

  it('cuts off a client that does not read, instead of buffering for it', async () => {
    const room = newRoom();
    const { client: reader, peerId } = await joined(room);
    const { client: sender } = await joined(room);
    const kicks = kicked();
    // The reader (who holds the group) stops reading but stays connected; the sender fills its socket with KeyPackages.
    reader.socket.pause();
    const keyPackage = 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH);
    for (let round = 0; round < 40 && sender.open; round++) {
      for (let index = 0; index < 20; index++)
        sender.socket.send(
          JSON.stringify({
            type: 'request',
            id: sender.requestId + round * 20 + index,
            method: 'publishKeyPackage',
            data: { keyPackage },
          }),
        );
      if (sender.received.some((message) => message.method === 'peerLeft')) break;
      await sleep(1000);
    }
    await sender.notification('peerLeft', (data) => data.peerId === peerId, 1000);
    assert.equal(server.app.get(RoomsService).peerCount, 1);
    assert.equal(kicked() - kicks, 1, 'as /health counts it');
    reader.socket.terminate();
    await sender.close();
  });

  it('counts broken WebSocket frames quietly and logs nothing for them', async () => {
    const client = await TestClient.connect(server.wsUrl);
    client.socket.send(Buffer.from([0xc3, 0x28]), { binary: false });
    assert.equal((await client.closed).code, 1007);
    assert.equal(server.app.get(Admission).protocolErrors, 1);
    assert.deepEqual(server.logged, []);
  });

  it('answers a fault of the server with internal and one line without ids', async () => {
    const { client } = await joined(newRoom());
    const { transportId } = await client.call('createTransport', { direction: 'send' });
    await client.call('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters(4242) });
    // The same SSRC twice: the worker refuses it with an error that is not a client error it knows.
    const clash = await client.request('produce', {
      transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: audioRtpParameters(4242),
    });
    assert.deepEqual(clash.error, { code: 'internal', message: 'the server could not do that; try again' });
    assert.equal(server.logged.length, 1, server.logged.join(''));
    assert.match(server.logged[0], /^ERROR \[signalling\] produce failed with Error\n/);
    assert.doesNotMatch(server.logged[0], /[0-9a-f]{8}-[0-9a-f]{4}-/);
    server.logged.length = 0;
    await client.close();
  });
});

describe('socket caps', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RAUM_MAX_SOCKETS_PER_CLIENT: '2', RAUM_MAX_SOCKETS: '5', RAUM_TRUST_PROXY: 'true' });
  });
  after(() => server.close());

  const from = (address: string) => TestClient.connect(server.wsUrl, { headers: { 'X-Real-IP': address } });

  it('caps sockets per client, an IPv6 /64 counting as one, and per server; refused at the HTTP layer', async () => {
    const open = [await from('2001:db8:0:1::1'), await from('2001:db8:0:1::2')];
    assert.equal(await refusal(from('2001:db8:0:1:ffff:ffff:ffff:ffff')), 429, 'a third socket from the same /64');
    open.push(await from('2001:db8:0:2::1'), await from('198.51.100.7'), await from('198.51.100.8'));
    assert.equal(await refusal(from('198.51.100.9')), 503, 'the server holds as many as allowed');
    await open[0].close();
    await sleep(50);
    open[0] = await from('2001:db8:0:1::3');
    await Promise.all(open.map((client) => client.close()));
  });

  it('limits how fast one client opens sockets', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 40; index++) statuses.push(await refusal(from('198.51.100.20')));
    assert.ok(statuses.filter((status) => status === 429).length >= 5, statuses.join(' '));
    assert.ok(statuses.slice(0, 25).every((status) => status === 101));
  });
});

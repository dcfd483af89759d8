import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '@raum/protocol';
import { MediaService } from '../media/media.service';
import { hostRoomId } from '../rooms/host-link';
import { RoomsService } from '../rooms/rooms.service';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

const LOBBY_NEWS = ['knocked', 'knockEnded', 'admitted', 'knockRefused'];

describe('the lobby and a new link, checked by the server', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());
  const capabilities = () => server.app.get(MediaService).routerRtpCapabilities;
  const peers = () => server.app.get(RoomsService).peerCount;
  const clients: TestClient[] = [];
  afterEach(() => Promise.all(clients.splice(0).map((client) => client.close())));

  async function meeting() {
    const hostKey = randomBytes(16).toString('base64url');
    const roomId = hostRoomId(hostKey);
    const join = async (options: { hostKey?: string; linkProof?: string } = {}) => {
      const client = await TestClient.connect(server.wsUrl);
      clients.push(client);
      const answer = await client.request('join', { roomId, rtpCapabilities: capabilities(), e2ee: true, ...options });
      return { client, answer };
    };
    const host = await join({ hostKey });
    const ben = await join();
    return {
      hostKey,
      join,
      host: host.client,
      hostId: host.answer.data.peerId as string,
      ben: ben.client,
      benId: ben.answer.data.peerId as string,
    };
  }

  /** A round trip on each socket: whatever the server sent before has arrived. */
  const settled = (...clients: TestClient[]) =>
    Promise.all(clients.map((client) => client.call('capabilities', { protocolVersion: PROTOCOL_VERSION })));
  const lobbyNews = (client: TestClient) =>
    client.received.filter((message) => LOBBY_NEWS.includes(message.method ?? '')).map((message) => message.method);

  it('keeps a knocker outside (no roster, no media, no MLS) until a host admits them; guests can do none of it', async () => {
    const { join, hostKey, host, hostId, ben, benId } = await meeting();
    await host.call('setLobby', { on: true });
    for (const client of [host, ben]) assert.deepEqual((await client.notification('lobbyChanged')).data, { on: true, by: hostId });

    const { client: eve, answer } = await join();
    const knockId: string = answer.data.knockId;
    assert.ok(knockId, 'Eve waits');
    assert.equal(answer.data.peers, undefined, 'and learns nothing of who is in');
    for (const [method, data] of [
      ['createTransport', { direction: 'recv' }],
      ['publishKeyPackage', { keyPackage: 'AAAA' }],
      ['sendGroupMessage', { payload: 'AAAA' }],
    ] as const) {
      assert.equal((await eve.request(method, data)).error?.code, 'invalid-state', method);
    }
    await eve.call('knock', { name: 'c2VhbGVk' });
    assert.deepEqual((await host.notification('knocked')).data, { knockId, name: 'c2VhbGVk' });
    assert.equal((await eve.request('knock', { name: 'YWdhaW4' })).error?.code, 'invalid-state', 'one name per knock');

    for (const [method, data] of [
      ['admitKnock', { knockId }],
      ['denyKnock', { knockId }],
      ['setLobby', { on: false }],
      ['renewLink', { linkProof: randomBytes(16).toString('base64url') }],
    ] as const) {
      assert.equal((await ben.request(method, data)).error?.code, 'forbidden', method);
    }
    await settled(host, ben, eve);
    assert.equal(peers(), 2, 'Eve is not in the room');
    assert.deepEqual(lobbyNews(ben), [], 'a guest hears of no knock');
    assert.equal(ben.received.filter((message) => message.method === 'peerJoined').length, 0);
    assert.deepEqual(lobbyNews(eve), [], 'Eve still waits');

    // A host who comes later sees the knock at once.
    const { client: cohost, answer: cohostAnswer } = await join({ hostKey });
    assert.equal(cohostAnswer.data.lobby, true);
    assert.deepEqual(cohostAnswer.data.knocks, [{ knockId, name: 'c2VhbGVk' }]);

    await host.call('admitKnock', { knockId });
    const admitted = (await eve.notification('admitted')).data;
    assert.equal(admitted.peerId, knockId, 'the knock becomes the participant');
    assert.deepEqual(admitted.peers.map((peer: any) => peer.peerId).sort(), [hostId, benId, cohostAnswer.data.peerId].sort());
    assert.equal(admitted.lobby, true);
    assert.deepEqual(admitted.knocks, [], 'a guest is told of no knocks');
    await ben.notification('peerJoined', (data) => data.peer.peerId === knockId);
    for (const client of [host, cohost]) await client.notification('knockEnded', (data) => data.knockId === knockId);
    await eve.call('publishKeyPackage', { keyPackage: 'AAAA' });
    assert.equal(peers(), 4);
    assert.equal((await host.request('admitKnock', { knockId })).error?.code, 'not-found', 'a knock is answered once');
  });

  it('turns a knocker away when denied, on a lock and at the end; lets them in when the lobby goes off; forgets one who left', async () => {
    const { join, host, ben } = await meeting();
    await host.call('setLobby', { on: true });
    const knock = async () => {
      const { client, answer } = await join();
      await client.call('knock', { name: 'bmFtZQ' });
      const knockId: string = answer.data.knockId;
      await host.notification('knocked', (data) => data.knockId === knockId);
      return { client, knockId };
    };

    const denied = await knock();
    await host.call('denyKnock', { knockId: denied.knockId });
    assert.deepEqual((await denied.client.notification('knockRefused')).data, { reason: 'denied' });
    assert.equal((await denied.client.closed).code, 1000);
    await host.notification('knockEnded', (data) => data.knockId === denied.knockId);

    const gone = await knock();
    await gone.client.close();
    await host.notification('knockEnded', (data) => data.knockId === gone.knockId);
    assert.equal((await host.request('admitKnock', { knockId: gone.knockId })).error?.code, 'not-found');

    const locked = await knock();
    await host.call('lockMeeting', { locked: true });
    assert.deepEqual((await locked.client.notification('knockRefused')).data, { reason: 'meeting-locked' });
    assert.equal((await join()).answer.error?.code, 'meeting-locked', 'nobody knocks on a locked meeting');
    await host.call('lockMeeting', { locked: false });

    const patient = await knock();
    await host.call('setLobby', { on: false });
    assert.equal((await patient.client.notification('admitted')).data.lobby, false);
    assert.ok((await join()).answer.data.peerId, 'with the lobby off, newcomers come straight in');

    await host.call('setLobby', { on: true });
    const late = await knock();
    await host.call('endMeeting', {});
    assert.deepEqual((await late.client.notification('knockRefused')).data, { reason: 'meeting-ended' });
    await ben.notification('meetingEnded');
    await settled(host);
    assert.equal(peers(), 1, 'only the host is left');
  });

  it('shuts out the old link once a host made a new one; the people in stay', async () => {
    const { join, host, ben } = await meeting();
    const oldProof = randomBytes(16).toString('base64url');
    const newProof = randomBytes(16).toString('base64url');
    assert.ok((await join({ linkProof: oldProof })).answer.data.peerId, 'before, any proof gets in');
    await host.call('renewLink', { linkProof: newProof });
    assert.equal((await join({ linkProof: oldProof })).answer.error?.code, 'link-withdrawn');
    assert.equal((await join()).answer.error?.code, 'link-withdrawn');
    assert.equal(peers(), 3, 'refused joins change nothing');
    assert.ok((await join({ linkProof: newProof })).answer.data.peerId);
    await settled(host, ben);
    assert.equal(peers(), 4);
  });

  it('logs nothing for any of it', () => {
    assert.deepEqual(server.logged, []);
  });
});

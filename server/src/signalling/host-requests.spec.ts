import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION, type RequestMethod } from '@raum/protocol';
import { MediaService } from '../media/media.service';
import { hostRoomId } from '../rooms/host-link';
import { RoomsService } from '../rooms/rooms.service';
import { audioRtpParameters } from '../testing/media-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

const HOST_NOTIFICATIONS = ['mutedByHost', 'unmuteAsked', 'hostAdded', 'meetingEnded', 'removedByHost', 'meetingLocked'];

interface Person {
  readonly client: TestClient;
  readonly peerId: string;
  readonly resumeToken: string;
  /** Their microphone's producer. */
  readonly microphone: string;
}

describe('host controls, checked by the server', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());
  const capabilities = () => server.app.get(MediaService).routerRtpCapabilities;

  /** Someone in the meeting with a microphone on; the host with the host key. */
  async function joined(roomId: string, ssrc: number, hostKey?: string): Promise<Person> {
    const client = await TestClient.connect(server.wsUrl);
    const { peerId, resumeToken } = await client.call('join', { roomId, rtpCapabilities: capabilities(), e2ee: true, hostKey });
    const { transportId } = await client.call('createTransport', { direction: 'send' });
    const { producerId } = await client.call('produce', {
      transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: audioRtpParameters(ssrc) as never,
    });
    return { client, peerId, resumeToken, microphone: producerId };
  }

  async function meeting(): Promise<{ roomId: string; hostKey: string; host: Person; ben: Person; cem: Person }> {
    const hostKey = randomBytes(16).toString('base64url');
    const roomId = hostRoomId(hostKey);
    const host = await joined(roomId, 1000, hostKey);
    const ben = await joined(roomId, 2000);
    const cem = await joined(roomId, 3000);
    return { roomId, hostKey, host, ben, cem };
  }

  /** Which microphones the SFU has paused, and who is host, as a newcomer is told. */
  async function seenByNewcomer(roomId: string): Promise<{ paused: string[]; hosts: string[] }> {
    const newcomer = await TestClient.connect(server.wsUrl);
    const { peers } = await newcomer.call('join', { roomId, rtpCapabilities: capabilities(), e2ee: true });
    await newcomer.close();
    return {
      paused: peers.flatMap((peer: any) =>
        peer.producers.filter((producer: any) => producer.paused).map((producer: any) => producer.producerId),
      ),
      hosts: peers.filter((peer: any) => peer.host).map((peer: any) => peer.peerId),
    };
  }

  /** A round trip on their socket: whatever the server sent them before has arrived. */
  const settled = (...people: Person[]) =>
    Promise.all(people.map((person) => person.client.call('capabilities', { protocolVersion: PROTOCOL_VERSION })));

  const heard = (person: Person) =>
    person.client.received.filter((message) => HOST_NOTIFICATIONS.includes(message.method ?? '')).map((message) => message.method);

  it('refuses every host request from a guest with forbidden, aimed at real people, and changes nothing', async () => {
    const { roomId, host, ben, cem } = await meeting();
    const attempts: Array<[RequestMethod, Record<string, unknown>]> = [
      ['muteParticipant', { peerId: cem.peerId }],
      ['muteParticipant', { peerId: host.peerId }],
      ['muteEveryone', {}],
      ['askToUnmute', { peerId: cem.peerId }],
      ['lockMeeting', { locked: true }],
      ['removeParticipant', { peerId: cem.peerId }],
      ['removeParticipant', { peerId: host.peerId }],
      ['makeHost', { peerId: cem.peerId }],
      ['makeHost', { peerId: ben.peerId }],
      ['endMeeting', {}],
    ];
    for (const [method, data] of attempts) {
      const response = await ben.client.request(method, data);
      assert.equal(response.error?.code, 'forbidden', `${method} ${JSON.stringify(data)}`);
    }
    await settled(host, ben, cem);
    assert.equal(server.app.get(RoomsService).peerCount, 3, 'nobody was dismissed');
    assert.deepEqual(await seenByNewcomer(roomId), { paused: [], hosts: [host.peerId] });
    for (const person of [host, ben, cem]) assert.deepEqual(heard(person), [], 'nobody was told anything');
    assert.equal(cem.client.received.filter((message) => message.method === 'producerPaused').length, 0);
    await Promise.all([host.client.close(), ben.client.close(), cem.client.close()]);
  });

  it('lets a host mute one person or everyone else (never unmute), ask to unmute, make a co-host, and end the meeting', async () => {
    const { roomId, host, ben, cem } = await meeting();
    const rooms = server.app.get(RoomsService);

    await host.client.call('muteParticipant', { peerId: ben.peerId });
    assert.deepEqual((await ben.client.notification('mutedByHost')).data, { by: host.peerId });
    await cem.client.notification('producerPaused', (data) => data.producerId === ben.microphone);
    assert.deepEqual((await seenByNewcomer(roomId)).paused, [ben.microphone]);
    // Unmuting is the person's own business, and theirs alone.
    await ben.client.call('resumeProducer', { producerId: ben.microphone });
    await cem.client.notification('producerResumed', (data) => data.producerId === ben.microphone);
    await host.client.call('askToUnmute', { peerId: cem.peerId });
    assert.deepEqual((await cem.client.notification('unmuteAsked')).data, { by: host.peerId });

    const benMutedAgain = ben.client.next((message) => message.method === 'mutedByHost');
    await host.client.call('muteEveryone', {});
    await Promise.all([benMutedAgain, cem.client.notification('mutedByHost')]);
    assert.deepEqual((await seenByNewcomer(roomId)).paused.sort(), [ben.microphone, cem.microphone].sort(), 'the host’s own stays on');
    // Muting someone muted already tells them nothing new.
    await host.client.call('muteParticipant', { peerId: cem.peerId });
    await settled(cem);
    assert.equal(cem.client.received.filter((message) => message.method === 'mutedByHost').length, 1);

    assert.equal((await host.client.request('muteParticipant', { peerId: 'nobody-here' })).error?.code, 'not-found');
    assert.equal((await host.client.request('makeHost', { peerId: host.peerId })).error?.code, 'bad-request');

    await host.client.call('makeHost', { peerId: ben.peerId });
    for (const person of [host, ben, cem]) await person.client.notification('hostAdded', (data) => data.peerId === ben.peerId);
    assert.deepEqual((await seenByNewcomer(roomId)).hosts.sort(), [host.peerId, ben.peerId].sort());
    await ben.client.call('askToUnmute', { peerId: cem.peerId });
    assert.deepEqual((await cem.client.notification('unmuteAsked', (data) => data.by === ben.peerId)).data, { by: ben.peerId });

    // A co-host may end it too: everyone else is told, and their sessions are over.
    await ben.client.call('endMeeting', {});
    for (const person of [host, cem]) {
      assert.deepEqual((await person.client.notification('meetingEnded')).data, { by: ben.peerId });
      assert.equal((await person.client.closed).code, 1000);
    }
    assert.equal(rooms.peerCount, 1);
    const comeback = await TestClient.connect(server.wsUrl);
    const resumed = await comeback.request('resume', { token: cem.resumeToken, lastSeq: 0, protocolVersion: PROTOCOL_VERSION });
    assert.equal(resumed.error?.code, 'resume-failed');
    await Promise.all([ben.client.close(), comeback.close()]);
  });

  it('keeps everyone new out of a locked meeting but hosts, and a removed person out while it stays locked', async () => {
    const { roomId, hostKey, host, ben, cem } = await meeting();
    const rooms = server.app.get(RoomsService);
    const join = (client: TestClient, key?: string) =>
      client.request('join', { roomId, rtpCapabilities: capabilities(), e2ee: true, ...(key ? { hostKey: key } : {}) });

    await host.client.call('lockMeeting', { locked: true });
    for (const person of [host, ben, cem]) {
      assert.deepEqual((await person.client.notification('meetingLocked')).data, { locked: true, by: host.peerId });
    }
    const newcomer = await TestClient.connect(server.wsUrl);
    assert.equal((await join(newcomer)).error?.code, 'meeting-locked');
    assert.equal(rooms.peerCount, 3, 'a refused newcomer changes nothing');
    assert.equal(ben.client.received.filter((message) => message.method === 'peerJoined').length, 1, 'only Cem, earlier');
    const secondHost = await TestClient.connect(server.wsUrl);
    const hostAnswer = await join(secondHost, hostKey);
    assert.equal(hostAnswer.data?.locked, true, 'a host gets in, and learns it is locked');

    await host.client.call('removeParticipant', { peerId: cem.peerId });
    assert.deepEqual((await cem.client.notification('removedByHost')).data, { by: host.peerId });
    assert.equal((await cem.client.closed).code, 1000);
    await ben.client.notification('peerLeft', (data) => data.peerId === cem.peerId);
    const cemAgain = await TestClient.connect(server.wsUrl);
    assert.equal((await join(cemAgain)).error?.code, 'meeting-locked', 'the removed person cannot come back while locked');
    assert.equal(
      (await cemAgain.request('resume', { token: cem.resumeToken, lastSeq: 0, protocolVersion: PROTOCOL_VERSION })).error?.code,
      'resume-failed',
    );

    await host.client.call('lockMeeting', { locked: false });
    await ben.client.notification('meetingLocked', (data) => data.locked === false);
    const welcome = await join(newcomer);
    assert.equal(welcome.data?.locked, false);
    await Promise.all([host.client, ben.client, newcomer, secondHost, cemAgain].map((client) => client.close()));
  });

  it('logs nothing for any of it', () => {
    assert.deepEqual(server.logged, []);
  });
});

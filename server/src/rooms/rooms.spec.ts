import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { types } from 'mediasoup';
import { after, before, describe, it } from 'node:test';
import { MediaService } from '../media/media.service';
import { audioRtpParameters, videoRtpParameters } from '../testing/media-fixtures';
import { testConfig } from '../testing/test-server';
import { Peer, type PeerLink } from './peer';
import { RoomsService } from './rooms.service';
import { ClusterService } from '../cluster/cluster.service';
import { NodePipes } from '../cluster/node-pipes';
import { RemoteMedia } from '../cluster/remote-media';

const roomId = 'room-for-the-test-suite-1';

describe('rooms with a real mediasoup worker', () => {
  let media: MediaService;
  let rooms: RoomsService;
  const silent: PeerLink = { notify: () => undefined, dismiss: () => undefined, admitted: () => undefined };
  const listening = (heard: Array<[string, unknown]>): PeerLink => ({ ...silent, notify: (method, data) => heard.push([method, data]) });

  before(async () => {
    const config = await testConfig({ RAUM_MAX_PEERS_PER_ROOM: '3', RAUM_MAX_INCOMING_BITRATE: '1500000' });
    media = new MediaService(config);
    await media.onModuleInit();
    const cluster = new ClusterService(config);
    rooms = new RoomsService(media, cluster, new NodePipes(cluster, config), new RemoteMedia(cluster), config);
  });
  after(() => media.onModuleDestroy());

  it('shares one router between peers and frees everything when the last leaves', async () => {
    const heard: Array<[string, unknown]> = [];
    const a = await rooms.join(roomId, { e2ee: true }, media.routerRtpCapabilities, listening(heard));
    const b = await rooms.join(roomId, { e2ee: false }, media.routerRtpCapabilities, silent);
    assert.equal(a.room, b.room);
    assert.equal(a.entered!.group, 'create', 'the first starts the MLS group');
    assert.equal(b.entered!.group, 'join', 'the next waits to be added');
    // What the server tells about a person: its id, whether it encrypts, whether it is host, its streams; never a name.
    assert.deepEqual(b.entered!.others, [{ peerId: a.peer.id, e2ee: true, host: false, producers: [] }]);
    assert.deepEqual(heard, [['peerJoined', { peer: { peerId: b.peer.id, e2ee: false, host: false, producers: [] } }]]);

    const { router, webRtcServer } = a.room.home;
    const send = await a.peer.createTransport('send', router, webRtcServer);
    const video = await a.peer.produce(send.id, 'video', 'camera', videoRtpParameters(), false);
    await a.peer.produce(send.id, 'audio', 'microphone', audioRtpParameters(), false);
    await b.peer.createTransport('recv', router, webRtcServer);
    await b.peer.createTransport('send', router, webRtcServer);
    // One node: these are mediasoup's own objects.
    const consumer = (await b.peer.consume(router, video)) as types.Consumer;
    assert.equal(consumer.paused, true, 'consumers start paused');

    let dump = await router.dump();
    assert.equal(dump.transportIds.length, 3);
    assert.equal(dump.mapProducerIdConsumerIds.length, 2);
    assert.equal(dump.mapConsumerIdProducerId.length, 1);

    // A leaves: its transport, producers and B's consumer of them are gone.
    a.room.remove(a.peer);
    assert.equal(heard.length, 1);
    dump = await router.dump();
    assert.equal(dump.transportIds.length, 2);
    assert.equal(dump.mapProducerIdConsumerIds.length, 0);
    assert.equal(dump.mapConsumerIdProducerId.length, 0);
    // The worker tells the consumer's owner asynchronously.
    if (!consumer.closed) await once(consumer.observer, 'close');
    assert.equal(rooms.roomCount, 1);

    // B leaves: the room and its router are gone.
    b.room.remove(b.peer);
    assert.equal(router.closed, true);
    assert.equal(rooms.roomCount, 0);
    assert.deepEqual(await media.census(), { workers: 1, routers: 0, transports: 0, producers: 0, consumers: 0, workerRestarts: 0 });
  });

  it('hands the MLS group to a waiting peer when its members have left', async () => {
    const join = async (room: string) => {
      const heard: Array<[string, unknown]> = [];
      const joined = await rooms.join(room, { e2ee: true }, media.routerRtpCapabilities, listening(heard));
      return { ...joined, heard };
    };
    const groupNews = (heard: Array<[string, unknown]>) => heard.filter(([method]) => method !== 'peerJoined' && method !== 'peerLeft');

    // Leaving: the first who published a KeyPackage starts the group, with the others' KeyPackages.
    const a = await join('group-restart-room-suite-1');
    const b = await join('group-restart-room-suite-1');
    const c = await join('group-restart-room-suite-1');
    assert.deepEqual([a.entered!.group, b.entered!.group, c.entered!.group], ['create', 'join', 'join']);
    a.room.publishKeyPackage(c.peer, 'Yw');
    a.room.publishKeyPackage(b.peer, 'Yg');
    assert.deepEqual(groupNews(a.heard), [
      ['keyPackage', { from: c.peer.id, keyPackage: 'Yw' }],
      ['keyPackage', { from: b.peer.id, keyPackage: 'Yg' }],
    ]);
    assert.deepEqual([groupNews(b.heard), groupNews(c.heard)], [[], []], 'only members see KeyPackages');
    a.room.remove(a.peer);
    assert.deepEqual(groupNews(c.heard), [
      ['createGroup', {}],
      ['keyPackage', { from: b.peer.id, keyPackage: 'Yg' }],
    ]);
    assert.deepEqual(groupNews(b.heard), []);
    assert.deepEqual([...a.room.group.members], [c.peer.id]);
    // Someone new joins the restarted group, and its KeyPackage goes to the new creator.
    const d = await join('group-restart-room-suite-1');
    assert.equal(d.entered!.group, 'join');
    a.room.publishKeyPackage(d.peer, 'ZA');
    assert.deepEqual(groupNews(c.heard).at(-1), ['keyPackage', { from: d.peer.id, keyPackage: 'ZA' }]);
    assert.deepEqual(groupNews(b.heard), []);
    for (const peer of [b, c, d]) a.room.remove(peer.peer);

    // The last member leaves before the newcomer's KeyPackage comes: that KeyPackage makes it the creator.
    const e = await join('group-restart-room-suite-2');
    const f = await join('group-restart-room-suite-2');
    e.room.remove(e.peer);
    assert.deepEqual(groupNews(f.heard), []);
    f.room.publishKeyPackage(f.peer, 'Zg');
    assert.deepEqual(groupNews(f.heard), [['createGroup', {}]]);
    assert.deepEqual([...f.room.group.members], [f.peer.id]);
    f.room.remove(f.peer);
    assert.equal(rooms.roomCount, 0);
  });

  it('opens one router when two people open the same new room at once', async () => {
    const [a, b] = await Promise.all([
      rooms.join('room-opened-twice-at-once', { e2ee: true }, media.routerRtpCapabilities, silent),
      rooms.join('room-opened-twice-at-once', { e2ee: true }, media.routerRtpCapabilities, silent),
    ]);
    assert.equal(a.room, b.room);
    assert.equal((await media.census()).routers, 1);
    a.room.remove(a.peer);
    b.room.remove(b.peer);
    assert.equal((await media.census()).routers, 0);
  });

  it('refuses a peer past the room limit and changes nothing', async () => {
    const joined = await Promise.all(
      [1, 2, 3].map(() => rooms.join('a-full-room-for-the-suite', { e2ee: true }, media.routerRtpCapabilities, silent)),
    );
    await assert.rejects(rooms.join('a-full-room-for-the-suite', { e2ee: true }, media.routerRtpCapabilities, silent), {
      code: 'room-full',
    });
    assert.equal(rooms.peerCount, 3);
    for (const { room, peer } of joined) room.remove(peer);
    assert.equal((await media.census()).routers, 0);
  });

  it('enforces transport and producer rules', async () => {
    const { room, peer } = await rooms.join('rules-room-for-the-suite', { e2ee: true }, media.routerRtpCapabilities, silent);
    const send = await peer.createTransport('send', room.home.router, room.home.webRtcServer);
    const recv = await peer.createTransport('recv', room.home.router, room.home.webRtcServer);
    assert.equal(
      (await (send as types.WebRtcTransport).getStats())[0].maxIncomingBitrate,
      1_500_000,
      'the send transport takes at most RAUM_MAX_INCOMING_BITRATE',
    );
    await assert.rejects(peer.createTransport('send', room.home.router, room.home.webRtcServer), { code: 'invalid-state' });
    await assert.rejects(peer.produce(recv.id, 'video', 'camera', videoRtpParameters(), false), { code: 'invalid-state' });
    await assert.rejects(peer.produce(send.id, 'audio', 'camera', audioRtpParameters(), false), { code: 'bad-request' });
    await peer.produce(send.id, 'video', 'camera', videoRtpParameters(), false);
    await assert.rejects(peer.produce(send.id, 'video', 'camera', videoRtpParameters(3333), false), { code: 'invalid-state' });
    assert.throws(() => peer.transport('nope'), { code: 'not-found' });
    room.remove(peer);
    assert.deepEqual(await media.census(), { workers: 1, routers: 0, transports: 0, producers: 0, consumers: 0, workerRestarts: 0 });
  });

  it('caps the streams one peer receives, and takes each stream once', async () => {
    const { room, peer: sender } = await rooms.join('consumer-cap-room-for-suite', { e2ee: true }, media.routerRtpCapabilities, silent);
    const send = await sender.createTransport('send', room.home.router, room.home.webRtcServer);
    const video = await sender.produce(send.id, 'video', 'camera', videoRtpParameters(), false);
    const audio = await sender.produce(send.id, 'audio', 'microphone', audioRtpParameters(), false);
    const receiver = new Peer(true, false, media.routerRtpCapabilities, silent, { incomingBitrate: 1_000_000, consumers: 1 });
    await receiver.createTransport('recv', room.home.router, room.home.webRtcServer);
    await receiver.consume(room.home.router, video);
    await assert.rejects(receiver.consume(room.home.router, video), { code: 'invalid-state' });
    await assert.rejects(receiver.consume(room.home.router, audio), { code: 'limit-reached' });
    assert.equal((await media.census()).consumers, 1);
    receiver.close();
    room.remove(sender);
    assert.equal((await media.census()).routers, 0);
  });
});

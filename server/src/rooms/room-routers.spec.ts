import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { types } from 'mediasoup';
import { MediaService, type Placement } from '../media/media.service';
import type { SfuProducer } from '../media/sfu-types';
import { videoRtpParameters } from '../testing/media-fixtures';
import { testConfig } from '../testing/test-server';
import type { Peer, PeerLink } from './peer';
import type { Room } from './room';
import { RoomsService } from './rooms.service';
import { ClusterService } from '../cluster/cluster.service';
import { NodePipes } from '../cluster/node-pipes';
import { RemoteMedia } from '../cluster/remote-media';

const silent: PeerLink = { notify: () => undefined, dismiss: () => undefined, admitted: () => undefined };

describe('a room spread over two workers (load limit 0: every newcomer goes to the least loaded worker)', () => {
  let media: MediaService;
  let rooms: RoomsService;

  before(async () => {
    const config = await testConfig({ RAUM_WORKERS: '2', RAUM_WORKER_LOAD_PERCENT: '0' });
    media = new MediaService(config);
    await media.onModuleInit();
    const cluster = new ClusterService(config);
    rooms = new RoomsService(media, cluster, new NodePipes(cluster, config), new RemoteMedia(cluster), config);
  });
  after(() => media.onModuleDestroy());

  /** Someone in the room who sends a camera from their own router. */
  async function sender(
    ssrc: number,
    roomId = 'spread-room-for-the-suite',
    link = silent,
  ): Promise<{ room: Room; peer: Peer; camera: SfuProducer; worker: number }> {
    const { room, peer } = await rooms.join(roomId, { e2ee: true }, media.routerRtpCapabilities, link);
    const placement = await room.placementOf(peer);
    const send = await peer.createTransport('send', placement.router, placement.webRtcServer);
    await peer.createTransport('recv', placement.router, placement.webRtcServer);
    const camera = await peer.produce(send.id, 'video', 'camera', videoRtpParameters(ssrc), false);
    // One node: placed on one of this node's workers.
    return { room, peer, camera, worker: (placement as Placement).worker };
  }

  /** What the workers hold, from their own dumps: routers, transports (pipes included) and consumers. */
  async function held(): Promise<{ routers: number; transports: number; consumers: number }> {
    const { routers, transports, consumers } = await media.census();
    return { routers, transports, consumers };
  }

  it('pipes each stream only to the routers that consume it, and closes pipes and routers as people go', async () => {
    const ada = await sender(1000);
    const ben = await sender(2000);
    const cem = await sender(3000);
    const { room } = ada;
    assert.deepEqual(new Set([ada.worker, ben.worker, cem.worker]), new Set([0, 1]), 'the room spans both workers');
    assert.equal(room.routerCount, 2);
    const alone = [ada, ben, cem].filter((person) => [ada, ben, cem].filter((other) => other.worker === person.worker).length === 1);
    assert.equal(alone.length, 1, 'one is on a worker of their own');
    // Six peers' transports, nothing consumed: no pipe yet.
    assert.deepEqual(await held(), { routers: 2, transports: 6, consumers: 0 });

    const everyone = [ada, ben, cem];
    const consumers = new Map<string, types.Consumer>();
    for (const viewer of everyone) {
      for (const other of everyone) {
        if (other === viewer) continue;
        const consumer = (await room.consume(viewer.peer, { owner: other.peer, producer: other.camera })) as types.Consumer;
        assert.equal(consumer.producerId, other.camera.id);
        consumers.set(`${viewer.peer.id} ${other.peer.id}`, consumer);
      }
    }
    // Six consumers; three streams cross (the lone one's to the other router, the other two's to theirs), over one pipe pair.
    assert.deepEqual(await held(), { routers: 2, transports: 8, consumers: 9 });
    assert.equal(media.pipeTransports, 2);

    // The lone sender's stream stays piped while anyone there receives it, and goes with the last.
    const [lone] = alone;
    const others = everyone.filter((person) => person !== lone);
    consumers.get(`${others[0].peer.id} ${lone.peer.id}`)!.close();
    assert.equal((await held()).consumers, 8, 'the pipe stays for the other receiver');
    consumers.get(`${others[1].peer.id} ${lone.peer.id}`)!.close();
    await settle();
    assert.equal((await held()).consumers, 6, 'the last receiver took the pipe with it');

    // The lone one leaves: their router, the pipe pair and what the others received from them close.
    room.remove(lone.peer);
    await settle();
    assert.deepEqual(await held(), { routers: 1, transports: 4, consumers: 2 });
    assert.equal(room.routerCount, 1);
    assert.equal(media.pipeTransports, 0);
    for (const person of others) room.remove(person.peer);
    assert.deepEqual(await held(), { routers: 0, transports: 0, consumers: 0 });
  });

  it('moves the whole room to one new router when the worker under one of its routers dies', async () => {
    const heard: string[] = [];
    const listening: PeerLink = { ...silent, notify: (method) => heard.push(method) };
    const ada = await sender(4000, 'spread-room-that-moves-1', listening);
    const ben = await sender(5000, 'spread-room-that-moves-1', listening);
    const { room } = ada;
    assert.notEqual(ada.worker, ben.worker);
    await room.consume(ben.peer, { owner: ada.peer, producer: ada.camera });
    const away = ada.worker === room.home.worker ? ben : ada;

    process.kill(media.workerPids[away.worker], 'SIGKILL');
    for (let waited = 0; !heard.includes('mediaReset') && waited < 5000; waited += 50) await settle();
    assert.equal(heard.filter((method) => method === 'mediaReset').length, 2, 'both are told once to send and receive anew');
    assert.equal(room.routerCount, 1);
    assert.deepEqual(await held(), { routers: 1, transports: 0, consumers: 0 }, 'everything of the old routers went');
    // They send again on a live router of the room: its new home, or, once the killed worker is back (load limit 0
    // sends newcomers to the least loaded worker), the room's router there.
    const again = await room.placementOf(ada.peer);
    assert.equal(again.router.closed, false, 'never a router of the dead worker');
    if (again.router !== room.home.router) assert.equal(room.routerCount, 2, 'a second router, on the restarted worker');
    for (const person of [ada, ben]) room.remove(person.peer);
    for (let waited = 0; media.workerPids.length < 2 && waited < 5000; waited += 50) await settle();
    assert.deepEqual(await held(), { routers: 0, transports: 0, consumers: 0 });
  });
});

/** Closes travel through the worker before they show in its dumps. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

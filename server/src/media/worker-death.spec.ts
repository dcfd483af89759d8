import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RoomsService } from '../rooms/rooms.service';
import { videoRtpParameters } from '../testing/media-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';
import { MediaService } from './media.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a media worker that dies', () => {
  let server: TestServer;
  const media = () => server.app.get(MediaService);

  before(async () => {
    server = await startTestServer({ RAUM_WORKERS: '2' });
  });
  after(() => server.close());

  async function sending(room: string): Promise<TestClient> {
    const client = await TestClient.connect(server.wsUrl);
    await client.call('join', { roomId: room, rtpCapabilities: media().routerRtpCapabilities, e2ee: true });
    const { transportId } = await client.call('createTransport', { direction: 'send' });
    await client.call('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });
    return client;
  }

  it('moves only its rooms to a live worker, keeps their people, and is started again', async () => {
    // Placed by load: the first room on worker 0, the second on worker 1.
    const [ada, ben] = [await sending('worker-death-room-0000001'), await sending('worker-death-room-0000001')];
    const other = await sending('worker-death-room-0000002');
    const [first, second] = media().workerPids;

    process.kill(first, 'SIGKILL');
    for (const client of [ada, ben]) await client.notification('mediaReset', () => true, 5000);
    assert.equal(server.app.get(RoomsService).peerCount, 3, 'nobody left');
    assert.equal(
      ben.received.some((message) => message.method === 'peerLeft'),
      false,
    );
    assert.equal(
      other.received.some((message) => message.method === 'mediaReset'),
      false,
      'the other room did not notice',
    );

    // The people of the moved room send again on the new router.
    const { transportId } = await ada.call('createTransport', { direction: 'send' });
    await ada.call('produce', { transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });
    assert.equal((await ben.notification('producerAdded', () => true)).data.producer.source, 'camera');

    for (let attempt = 0; attempt < 100 && media().workerPids.length < 2; attempt++) await sleep(50);
    const census = await media().census();
    assert.deepEqual([census.workers, census.workerRestarts, census.routers, census.producers], [2, 1, 2, 2]);
    assert.ok(!media().workerPids.includes(first) && media().workerPids.includes(second));
    // mediasoup's own line (with the signal), and ours.
    assert.deepEqual(server.logged, [
      `ERROR [media] mediasoup:ERROR:Worker worker process died unexpectedly [pid:${first}, code:null, signal:SIGKILL]\n`,
      'WARN [media] media worker 0 died; starting it again\n',
    ]);
    await Promise.all([ada, ben, other].map((client) => client.close()));
  });

  it('waits longer each time when workers keep dying, and says so without naming a room', async () => {
    server.logged.length = 0;
    const client = await sending('worker-death-room-0000003');
    process.kill(media().workerPids[0], 'SIGKILL');
    await client.notification('mediaReset', () => true, 5000);
    const next = media().workerPids.length === 2 ? media().workerPids[1] : media().workerPids[0];
    process.kill(next, 'SIGKILL');
    for (let attempt = 0; attempt < 100 && !server.logged.some((line) => line.includes('keep dying')); attempt++) await sleep(50);
    const warning = server.logged.find((line) => line.includes('keep dying'));
    assert.match(warning ?? '', /^WARN \[media\] media workers keep dying \(\d in the last minute\); starting worker \d again in \d+ s\n$/);
    assert.doesNotMatch(server.logged.join(''), /worker-death-room/);
    for (let attempt = 0; attempt < 100 && media().workerPids.length < 2; attempt++) await sleep(50);
    assert.equal(media().workerPids.length, 2);
    await client.close();
  });
});

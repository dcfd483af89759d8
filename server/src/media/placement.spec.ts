import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { videoRtpParameters } from '../testing/media-fixtures';
import { testConfig } from '../testing/test-server';
import { MediaService } from './media.service';

describe('placing routers by measured load', () => {
  let media: MediaService;

  before(async () => {
    // Two consumers fill a worker, and a room moves on past half of that.
    media = new MediaService(await testConfig({ RAUM_WORKERS: '2', RAUM_WORKER_CONSUMERS: '2', RAUM_WORKER_LOAD_PERCENT: '50' }));
    await media.onModuleInit();
  });
  after(() => media.onModuleDestroy());

  it('counts consumers against the worker, and prefers the less loaded one over the one with fewer routers', async () => {
    const busy = await media.createRouter(0);
    const spare = [await media.createRouter(1), await media.createRouter(1)];
    assert.equal(media.leastLoaded(), 0, 'idle alike: fewer routers wins');
    assert.equal(media.overloaded(busy), false);

    const send = await busy.router.createWebRtcTransport({ webRtcServer: busy.webRtcServer });
    const recv = await busy.router.createWebRtcTransport({ webRtcServer: busy.webRtcServer });
    const camera = await send.produce({ kind: 'video', rtpParameters: videoRtpParameters() });
    const consumer = await recv.consume({ producerId: camera.id, rtpCapabilities: media.routerRtpCapabilities });
    assert.equal(media.workerLoads[0].load, 0.5);
    assert.equal(media.overloaded(busy), true, 'at the limit');
    assert.equal(media.leastLoaded(), 1, 'the loaded worker is passed over, though it has fewer routers');
    const next = await media.createRouter();
    assert.equal(next.worker, 1);

    consumer.close();
    assert.equal(media.workerLoads[0].load, 0);
    assert.equal(media.overloaded(busy), false);
    for (const { router } of [busy, ...spare, next]) router.close();
    assert.equal((await media.census()).routers, 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MediaService } from '../media/media.service';
import { audioRtpParameters, videoRtpParameters } from '../testing/media-fixtures';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

/** Every consumer the SFU makes, as mediasoup itself reports it. */
const consumers = new Map<string, types.Consumer>();
mediasoup.observer.on('newworker', (worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) =>
      transport.observer.on('newconsumer', (consumer) => consumers.set(consumer.id, consumer)),
    ),
  ),
);

const simulcast = (ssrc: number): types.RtpParameters => ({
  ...videoRtpParameters(),
  encodings: [0, 1, 2].map((index) => ({ ssrc: ssrc + index, rid: `r${index}` })),
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 }],
});

/** What a receiver shows decides what the SFU sends it: screens, paused consumers, preferred layers. */
describe('streams and what each receiver asks of them', () => {
  let server: TestServer;
  let capabilities: unknown;
  let roomNumber = 0;

  before(async () => {
    server = await startTestServer();
    capabilities = server.app.get(MediaService).routerRtpCapabilities;
  });
  after(() => server.close());

  async function joined(room: string, direction: 'send' | 'recv'): Promise<{ client: TestClient; transportId: string }> {
    const client = await TestClient.connect(server.wsUrl);
    await client.call('join', { roomId: room, rtpCapabilities: capabilities as never, e2ee: true });
    const { transportId } = await client.call('createTransport', { direction });
    return { client, transportId };
  }
  /** Ada, sending a camera into the room. */
  async function cameraIn(room: string, rtpParameters: types.RtpParameters) {
    const ada = await joined(room, 'send');
    const { producerId } = await ada.client.call('produce', {
      transportId: ada.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: rtpParameters as never,
    });
    return { ada, producerId };
  }
  const newRoom = () => `consumers-suite-room-${String(++roomNumber).padStart(6, '0')}`;

  it('takes a screen (video) and its audio beside the camera, announced with their source; one of each', async () => {
    const room = newRoom();
    const ada = await joined(room, 'send');
    const ben = await joined(room, 'recv');
    const produce = (kind: 'audio' | 'video', source: string, ssrc: number) =>
      ada.client.request('produce', {
        transportId: ada.transportId,
        kind,
        source: source as never,
        rtpParameters: (kind === 'video' ? videoRtpParameters(ssrc) : audioRtpParameters(ssrc)) as never,
      });
    assert.equal((await produce('video', 'camera', 1000)).ok, true);
    assert.equal((await produce('video', 'screen', 2000)).ok, true);
    assert.equal((await produce('audio', 'screen-audio', 3000)).ok, true);
    assert.equal((await produce('audio', 'screen', 4000)).error?.code, 'bad-request', 'a screen carries video');
    assert.equal((await produce('video', 'screen', 5000)).error?.code, 'invalid-state', 'one screen at a time');
    assert.equal((await produce('video', 'window', 6000)).error?.code, 'bad-request', 'no other sources');
    const announced = await ben.client.notification('producerAdded', (data) => data.producer.source === 'screen-audio');
    assert.equal(announced.data.producer.kind, 'audio');
    assert.ok(await ben.client.notification('producerAdded', (data) => data.producer.source === 'screen'));
    await Promise.all([ada.client.close(), ben.client.close()]);
  });

  it('pauses and resumes a consumer for its receiver only; the sender and the others are untouched', async () => {
    const room = newRoom();
    const { ada, producerId } = await cameraIn(room, videoRtpParameters(7000));
    const [ben, cem] = [await joined(room, 'recv'), await joined(room, 'recv')];
    const benConsumer = await ben.client.pushed(producerId);
    const cemConsumer = await cem.client.pushed(producerId);
    for (const [client, { consumerId }] of [
      [ben.client, benConsumer],
      [cem.client, cemConsumer],
    ] as const) {
      await client.call('resumeConsumer', { consumerId });
    }
    await ben.client.call('pauseConsumer', { consumerId: benConsumer.consumerId });
    assert.equal(consumers.get(benConsumer.consumerId)?.paused, true, 'Ben’s consumer is paused at the SFU');
    assert.equal(consumers.get(cemConsumer.consumerId)?.paused, false, 'Cem still receives');
    assert.equal(
      (await cem.client.request('pauseConsumer', { consumerId: benConsumer.consumerId })).error?.code,
      'not-found',
      'nobody pauses another’s consumer',
    );
    await ben.client.call('resumeConsumer', { consumerId: benConsumer.consumerId });
    assert.equal(consumers.get(benConsumer.consumerId)?.paused, false);
    await Promise.all([ada.client, ben.client, cem.client].map((client) => client.close()));
  });

  it('a receiver that pauses a stream while its sender closes it gets not-found, and the server logs no fault', async () => {
    const room = newRoom();
    const ben = await joined(room, 'recv');
    const answers = new Set<string | undefined>();
    for (let round = 0; round < 5; round++) {
      const { ada, producerId } = await cameraIn(room, videoRtpParameters(9000 + round));
      const { consumerId } = await ben.client.pushed(producerId);
      // Sent together: the worker may close the consumer before the pause reaches it.
      const [, paused] = await Promise.all([
        ada.client.request('closeProducer', { producerId }),
        ben.client.request('pauseConsumer', { consumerId }),
      ]);
      answers.add(paused.error?.code);
      await ada.client.close();
    }
    assert.deepEqual(
      [...answers].filter((code) => code !== undefined && code !== 'not-found'),
      [],
    );
    assert.deepEqual(
      server.logged.filter((line) => line.startsWith('ERROR [signalling]')),
      [],
    );
    await ben.client.close();
  });

  it('sets the preferred simulcast layer a receiver asks for, and refuses layers that do not exist', async () => {
    const room = newRoom();
    const { ada, producerId } = await cameraIn(room, simulcast(8000));
    const ben = await joined(room, 'recv');
    const { consumerId } = await ben.client.pushed(producerId);
    const consumer = consumers.get(consumerId)!;
    assert.equal(consumer.type, 'simulcast');
    await ben.client.call('setPreferredLayers', { consumerId, spatialLayer: 0 });
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 0, temporalLayer: 0 });
    await ben.client.call('setPreferredLayers', { consumerId, spatialLayer: 1 });
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 1, temporalLayer: 0 });
    for (const bad of [3, -1, 0.5]) {
      const answer = await ben.client.request('setPreferredLayers', { consumerId, spatialLayer: bad });
      assert.equal(answer.error?.code, 'bad-request', `layer ${bad}`);
    }
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 1, temporalLayer: 0 }, 'a refused request changed nothing');
    await Promise.all([ada.client.close(), ben.client.close()]);
  });

  it('asks a camera’s sender for the layers its viewers show: a smaller one after a while, a larger one at once', async () => {
    const room = newRoom();
    const { ada, producerId } = await cameraIn(room, simulcast(9000));
    const sendLayers = () =>
      ada.client.received.filter((message) => message.method === 'sendLayers').map((message) => message.data.spatialLayer);
    const ben = await joined(room, 'recv');
    const forBen = await ben.client.pushed(producerId);
    await ben.client.call('setPreferredLayers', { consumerId: forBen.consumerId, spatialLayer: 1 });
    await ben.client.call('resumeConsumer', { consumerId: forBen.consumerId });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(sendLayers(), [], 'all three are kept for a while');
    await ada.client.notification('sendLayers', (data) => data.producerId === producerId && data.spatialLayer === 1, 5000);
    // Cem shows Ada in full (he names no layer): at once.
    const cem = await joined(room, 'recv');
    const forCem = await cem.client.pushed(producerId);
    await cem.client.call('resumeConsumer', { consumerId: forCem.consumerId });
    await ada.client.notification('sendLayers', (data) => data.spatialLayer === 2);
    assert.deepEqual(sendLayers(), [1, 2]);
    await Promise.all([ada.client.close(), ben.client.close(), cem.client.close()]);
  });
});

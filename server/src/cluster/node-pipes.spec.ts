import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { types } from 'mediasoup';
import { MediaService } from '../media/media.service';
import { audioRtpParameters } from '../testing/media-fixtures';
import { startRedis, type TestRedis } from '../testing/redis';
import { testConfig } from '../testing/test-server';
import { ClusterService } from './cluster.service';
import { NodePipes } from './node-pipes';

interface Node {
  readonly cluster: ClusterService;
  readonly media: MediaService;
  readonly pipes: NodePipes;
}

const SSRC = 2222;
const PAYLOAD_TYPE = 100;

/** An RTP packet as the producer's parameters describe it: 12 bytes of header, then a payload. */
function rtpPacket(sequence: number): Buffer {
  const packet = Buffer.alloc(12 + 40, 0x5a);
  packet[0] = 0x80;
  packet[1] = PAYLOAD_TYPE;
  packet.writeUInt16BE(sequence & 0xffff, 2);
  packet.writeUInt32BE(sequence * 960, 4);
  packet.writeUInt32BE(SSRC, 8);
  return packet;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Two nodes (each its own worker and bus connection) and a real Redis: a stream crosses from one to the other over SRTP. */
describe('media between nodes', () => {
  let redis: TestRedis;
  let nodes: Node[];

  before(async () => {
    redis = await startRedis();
    nodes = [];
    for (let index = 0; index < 2; index++) {
      const config = await testConfig({ RAUM_REDIS_URL: redis.url });
      const cluster = new ClusterService(config);
      const media = new MediaService(config);
      await Promise.all([cluster.onModuleInit(), media.onModuleInit()]);
      nodes.push({ cluster, media, pipes: new NodePipes(cluster, config) });
    }
  });
  after(async () => {
    for (const { cluster, media } of nodes) {
      media.onModuleDestroy();
      await cluster.onModuleDestroy();
    }
    await redis.stop();
  });

  it('pipes a producer to a router of another node with SRTP: packets arrive, pausing and closing follow, one pipe per pair of routers', async () => {
    const [a, b] = nodes as [Node, Node];
    const { router: from } = await a.media.createRouter();
    const { router: to } = await b.media.createRouter();
    b.pipes.expose(to);
    const pipeTransports: types.PipeTransport[] = [];
    for (const router of [from, to]) {
      router.observer.on('newtransport', (transport) => transport.type === 'pipe' && pipeTransports.push(transport as types.PipeTransport));
    }

    const sending = await from.createDirectTransport();
    const producer = await sending.produce({ kind: 'audio', rtpParameters: audioRtpParameters(SSRC) });
    await a.pipes.pipe(producer.id, from, { node: b.cluster.nodeId, routerId: to.id });
    const second = await sending.produce({ kind: 'audio', rtpParameters: audioRtpParameters(SSRC + 1) });
    await a.pipes.pipe(second.id, from, { node: b.cluster.nodeId, routerId: to.id });
    // Each side needs one at least: two in all means both streams share one pipe transport on each.
    assert.equal(pipeTransports.length, 2, 'one pipe transport here and one there, for both streams');

    const receiving = await to.createDirectTransport();
    const consumer: types.Consumer = await receiving.consume({ producerId: producer.id, rtpCapabilities: b.media.routerRtpCapabilities });
    let received = 0;
    consumer.on('rtp', () => received++);
    for (let sequence = 1; sequence <= 50; sequence++) {
      producer.send(rtpPacket(sequence));
      await new Promise((done) => setTimeout(done, 5));
    }
    await until(() => received >= 45, `packets through the pipe (got ${received})`);

    for (const transport of pipeTransports) {
      assert.equal(transport.srtpParameters?.cryptoSuite, 'AEAD_AES_256_GCM', 'SRTP on both ends');
    }
    const [, there] = pipeTransports;
    assert.ok((await there!.getStats())[0]!.bytesReceived > 50 * 52, 'the bytes crossed as SRTP (longer than the RTP sent)');

    await producer.pause();
    await until(() => consumer.producerPaused, 'the pause to cross');
    await producer.resume();
    await until(() => !consumer.producerPaused, 'the resume to cross');
    producer.close();
    await until(() => consumer.closed, 'the close to cross');
  });
});

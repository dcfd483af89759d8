import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { audioRtpParameters } from '../testing/media-fixtures';
import { MEDIA_CODECS } from './media-codecs';

/**
 * Regression test for the worker built against Debian's libsrtp 2 (see
 * tools/mediasoup-worker): RTP must cross from one router to another over
 * SRTP in every crypto suite, and must not with a wrong key.
 */

const SUITES: types.SrtpCryptoSuite[] = ['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];
const SSRC = 4242;
const PACKETS = 50;

function rtpPacket(sequence: number, payloadType: number): Buffer {
  const packet = Buffer.alloc(12 + 40, 0x5a);
  packet[0] = 0x80; // version 2
  packet[1] = payloadType & 0x7f;
  packet.writeUInt16BE(sequence, 2);
  packet.writeUInt32BE(sequence * 960, 4);
  packet.writeUInt32BE(SSRC, 8);
  return packet;
}

function flipOneBit(keyBase64: string): string {
  const key = Buffer.from(keyBase64, 'base64');
  key[0] ^= 0x01;
  return key.toString('base64');
}

describe('SRTP between two routers (worker built against libsrtp 2)', () => {
  let worker: types.Worker;

  before(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
  });
  after(() => worker.close());

  /** Sends PACKETS RTP packets from router A over SRTP to router B; returns what B's producer decoded. */
  async function relay(cryptoSuite: types.SrtpCryptoSuite, corruptKey: boolean): Promise<{ arrived: number; decoded: number }> {
    const routerA = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const routerB = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    try {
      const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
      const source = await routerA.createDirectTransport();
      const sourceProducer = await source.produce({ kind: 'audio', rtpParameters: audioRtpParameters(SSRC) });
      const sending = await routerA.createPlainTransport({
        listenInfo,
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: cryptoSuite,
      });
      const receiving = await routerB.createPlainTransport({
        listenInfo,
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: cryptoSuite,
      });
      const senderKey = sending.srtpParameters!;
      await sending.connect({ ip: '127.0.0.1', port: receiving.tuple.localPort, srtpParameters: receiving.srtpParameters });
      await receiving.connect({
        ip: '127.0.0.1',
        port: sending.tuple.localPort,
        srtpParameters: corruptKey ? { ...senderKey, keyBase64: flipOneBit(senderKey.keyBase64) } : senderKey,
      });
      const forward = await sending.consume({ producerId: sourceProducer.id, rtpCapabilities: routerA.rtpCapabilities });
      const received = await receiving.produce({ kind: 'audio', rtpParameters: forward.rtpParameters });

      const payloadType = sourceProducer.rtpParameters.codecs[0].payloadType;
      for (let sequence = 1; sequence <= PACKETS; sequence++) {
        sourceProducer.send(rtpPacket(sequence, payloadType));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // Wait for the packets to cross the loopback (or, with a wrong key, long enough to be sure).
      const counts = async () => ({
        arrived: (await receiving.getStats())[0].bytesReceived,
        decoded: (await received.getStats()).reduce((sum, stats) => sum + stats.packetCount, 0),
      });
      for (let attempt = 0; attempt < 50; attempt++) {
        const now = await counts();
        if (now.decoded >= PACKETS || (corruptKey && attempt >= 10)) return now;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return counts();
    } finally {
      routerA.close();
      routerB.close();
    }
  }

  for (const suite of SUITES) {
    it(`carries RTP in ${suite}`, async () => {
      const { decoded } = await relay(suite, false);
      assert.equal(decoded, PACKETS);
    });

    it(`drops every packet in ${suite} when the key is wrong by one bit`, async () => {
      const { arrived, decoded } = await relay(suite, true);
      assert.ok(arrived > PACKETS * 40, 'the encrypted packets did arrive');
      assert.equal(decoded, 0);
    });
  }
});

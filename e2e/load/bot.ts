import { HEARTBEAT_INTERVAL_MS, PROTOCOL_VERSION, type PeerInfo } from '@raum/protocol';
import type { RTCPeerConnection } from 'werift';
import { TestClient } from '../../server/src/testing/test-client';
import { loopbackAddress } from '../support/loopback';
import { StreamReception, type StreamFigures } from './reception';
import { SyntheticCamera, type Sent } from './synthetic-media';
import {
  BOT_RTP_CAPABILITIES,
  connected,
  localDtls,
  loopbackPeer,
  receiveOffer,
  sendAnswer,
  SENT,
  type ConsumerOffer,
  type TransportOffer,
} from './werift-peer';

/** A bot's line to an SFU once in a room: Raum's protocol, or the bare baseline's calls in-process. */
export interface Signalling {
  /** A request as Raum's protocol has it; resolves with its result, rejects on an error. */
  call(method: string, data: object): Promise<any>;
  /** The consumer of a producer, paused, once the receive transport exists (Raum pushes it: `newConsumer`). */
  consumer(producerId: string): Promise<ConsumerOffer>;
  /** Leaves the room and hangs up. */
  close(): Promise<void>;
}

/** A bot in a room: its line, and who was there with their streams. */
export interface Entered {
  readonly signalling: Signalling;
  readonly peers: readonly PeerInfo[];
}

/** How the `index`th bot gets into a room. */
export type Entrance = (roomId: string, index: number) => Promise<Entered>;

/**
 * Into Raum over a real WebSocket, from a loopback address of the bot's own
 * (the server limits each address): capabilities, then join without
 * end-to-end encryption, which a bot (it has no MLS) needs: load rooms do
 * not require it.
 */
export function raumEntrance(url: string): Entrance {
  return async (roomId, index) => {
    const client = await TestClient.connect(url, {
      localAddress: loopbackAddress(index),
      silent: true,
    });
    await client.call('capabilities', { protocolVersion: PROTOCOL_VERSION });
    const joined = await client.call('join', { roomId, rtpCapabilities: BOT_RTP_CAPABILITIES, e2ee: false });
    if ('knockId' in joined) throw new Error('a load room has no lobby');
    // Heartbeats as often as the browser client sends them, no more.
    const heartbeat = setInterval(() => client.ping(), HEARTBEAT_INTERVAL_MS);
    const signalling: Signalling = {
      call: (method, data) => client.call(method as never, data as never),
      consumer: (producerId) => client.pushed(producerId, 30_000),
      close: async () => {
        clearInterval(heartbeat);
        await client.call('leave', {}).catch(() => undefined);
        await client.close();
      },
    };
    return { signalling, peers: joined.peers };
  };
}

/** A participant without a browser: real RTP over a real WebRtcTransport, DTLS-SRTP included. */
abstract class Bot {
  protected constructor(
    protected readonly signalling: Signalling,
    protected readonly peer: RTCPeerConnection,
  ) {}

  async leave(): Promise<void> {
    await this.signalling.close();
    await this.peer.close();
  }
}

/** Sends a camera (VP8, three simulcast layers) and a microphone (Opus). */
export class Publisher extends Bot {
  private constructor(
    signalling: Signalling,
    peer: RTCPeerConnection,
    private readonly camera: SyntheticCamera,
  ) {
    super(signalling, peer);
  }

  static async join({ signalling: client }: Entered): Promise<Publisher> {
    const transport: TransportOffer = await client.call('createTransport', { direction: 'send' });
    const peer = loopbackPeer();
    const video = peer.addTransceiver('video', { direction: 'sendonly' });
    const audio = peer.addTransceiver('audio', { direction: 'sendonly' });
    await peer.setLocalDescription(await peer.createOffer());
    await client.call('connectTransport', { transportId: transport.transportId, dtlsParameters: localDtls(peer) });
    const sections = [
      { kind: 'video' as const, mid: video.mid ?? '' },
      { kind: 'audio' as const, mid: audio.mid ?? '' },
    ];
    await peer.setRemoteDescription({ type: 'answer', sdp: sendAnswer(transport, sections) });
    await connected(peer);
    const camera = new SyntheticCamera(video, audio);
    const rtcp = { cname: peer.cname, reducedSize: true };
    await client.call('produce', {
      transportId: transport.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        mid: video.mid,
        codecs: [SENT.video.codec],
        headerExtensions: SENT.video.headerExtensions,
        encodings: camera.encodings,
        rtcp,
      },
    });
    await client.call('produce', {
      transportId: transport.transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: {
        mid: audio.mid,
        codecs: [SENT.audio.codec],
        headerExtensions: SENT.audio.headerExtensions,
        encodings: [{ ssrc: camera.audioSsrc }],
        rtcp,
      },
    });
    camera.start();
    return new Publisher(client, peer, camera);
  }

  get sent(): Sent {
    return this.camera.sent;
  }

  override async leave(): Promise<void> {
    this.camera.stop();
    await super.leave();
  }
}

/**
 * Receives every stream in the room when it joins (or only the video), at
 * the simulcast layer it asks for (0 is the smallest, as for a small
 * tile), and counts each.
 */
export class Subscriber extends Bot {
  private constructor(
    signalling: Signalling,
    peer: RTCPeerConnection,
    private readonly streams: ReadonlyMap<number, StreamReception>,
  ) {
    super(signalling, peer);
  }

  static async join(
    { signalling: client, peers }: Entered,
    { spatialLayer, audio }: { spatialLayer: number; audio: boolean },
  ): Promise<Subscriber> {
    const transport: TransportOffer = await client.call('createTransport', { direction: 'recv' });
    const consumers: ConsumerOffer[] = [];
    for (const { producers } of peers) {
      for (const { producerId, kind } of producers) {
        if (kind === 'video' || audio) consumers.push(await client.consumer(producerId));
      }
    }
    const streams = new Map<number, StreamReception>();
    for (const { kind, rtpParameters } of consumers) {
      const ssrc = rtpParameters.encodings?.[0]?.ssrc;
      if (ssrc !== undefined) streams.set(ssrc, new StreamReception(kind, kind === 'video' ? 90_000 : 48_000));
    }
    const peer = loopbackPeer();
    peer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((packet) => streams.get(packet.header.ssrc)?.packet(packet)));
    await peer.setRemoteDescription({ type: 'offer', sdp: receiveOffer(transport, consumers) });
    await peer.setLocalDescription(await peer.createAnswer());
    await client.call('connectTransport', { transportId: transport.transportId, dtlsParameters: localDtls(peer) });
    await connected(peer);
    for (const { consumerId, kind } of consumers) {
      if (kind === 'video') await client.call('setPreferredLayers', { consumerId, spatialLayer });
      await client.call('resumeConsumer', { consumerId });
    }
    return new Subscriber(client, peer, streams);
  }

  get figures(): StreamFigures[] {
    return [...this.streams.values()].map((stream) => stream.figures);
  }
}

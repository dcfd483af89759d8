import { testFakeParameters as fake } from 'mediasoup-client';
import type { Joined, Knock, NotificationData, PeerInfo, ProducerInfo } from '@raum/protocol';
import { FakeServer } from './fake-server';

export const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';

export function cameraTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')!.fillRect(0, 0, 1, 1);
  return canvas.captureStream(5).getVideoTracks()[0];
}

export function microphoneTrack(): MediaStreamTrack {
  return new AudioContext().createMediaStreamDestination().stream.getAudioTracks()[0];
}

/** What the scripted server knows: everyone's producers, and which are paused. */
export interface ScriptedRoom {
  peers: PeerInfo[];
  paused: Set<string>;
  /** What the join answer says of the MLS group; 'create' (the default) lets this participant seal chat at once. */
  group?: 'create' | 'join';
  /** A host switched the lobby on: a join waits (knock id 'me'), holding nothing, until the spec admits it (admit()). */
  lobby?: boolean;
  /** Who waits in the lobby, as the join answer tells a host. */
  knocks?: Knock[];
}

/** What the server answers a join that gets in (or sends with `admitted`). */
export function joinedAnswer(room: ScriptedRoom): Joined {
  return {
    peerId: 'me',
    peers: room.peers,
    group: room.group ?? 'create',
    iceServers: [],
    iceTransportPolicy: 'all',
    resumeToken: 'x'.repeat(43),
    locked: false,
    lobby: room.lobby ?? false,
    knocks: room.knocks ?? [],
  };
}

/** A host lets the one waiting in the lobby in. */
export function admit(server: FakeServer, room: ScriptedRoom): void {
  room.lobby = false;
  server.notify('admitted', joinedAnswer({ ...room, lobby: true }));
}

/** The consumer the server pushes for one of the room's producers (`newConsumer`). */
export function pushedConsumer(room: ScriptedRoom, producerId: string): NotificationData<'newConsumer'> {
  const owner = room.peers.find((peer) => peer.producers.some((producer) => producer.producerId === producerId))!;
  const { kind } = owner.producers.find((producer) => producer.producerId === producerId)!;
  const remote = fake.generateConsumerRemoteParameters({ codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8' });
  return {
    consumerId: remote.id,
    producerId,
    peerId: owner.peerId,
    kind,
    rtpParameters: remote.rtpParameters as never,
    producerPaused: room.paused.has(producerId),
  };
}

/** A server for one room; `room` can change while the call runs. Like the real one, it pushes every stream to a new receive transport. */
export function serverFor(room: ScriptedRoom): FakeServer {
  let produced = 0;
  const transport = (direction: 'send' | 'recv') => {
    const remote = fake.generateTransportRemoteParameters();
    if (direction === 'recv') {
      // After the answer, as the real server's consumers need a worker round trip.
      setTimeout(() => {
        for (const peer of room.peers)
          for (const { producerId } of peer.producers) server.notify('newConsumer', pushedConsumer(room, producerId));
      });
    }
    return {
      transportId: remote.id,
      iceParameters: remote.iceParameters,
      iceCandidates: remote.iceCandidates,
      dtlsParameters: remote.dtlsParameters,
    };
  };
  const server = new FakeServer()
    .answer('capabilities', () => ({
      protocolVersion: 2,
      routerRtpCapabilities: fake.generateRouterRtpCapabilities(),
      requireE2ee: false,
      heartbeat: { intervalMs: 40, timeoutMs: 120 },
    }))
    .answer('join', () => (room.lobby ? { knockId: 'me' } : joinedAnswer(room)))
    .answer('knock', () => ({}))
    .answer('createTransport', ({ direction }: { direction: 'send' | 'recv' }) => {
      if (room.lobby) throw Object.assign(new Error('join a room first'), { code: 'invalid-state' });
      return transport(direction);
    })
    .answer('produce', () => ({ producerId: `mine-${++produced}` }));
  return server;
}

/** Someone in the room sends a new stream: the server announces it, then pushes its consumer. */
export function addProducer(server: FakeServer, room: ScriptedRoom, peerId: string, producer: ProducerInfo): void {
  server.notify('producerAdded', { peerId, producer });
  server.notify('newConsumer', pushedConsumer(room, producer.producerId));
}

export const ADA: PeerInfo = {
  peerId: 'ada',
  e2ee: true,
  host: false,
  producers: [
    { producerId: 'ada-cam', kind: 'video', source: 'camera', paused: false },
    { producerId: 'ada-mic', kind: 'audio', source: 'microphone', paused: true },
  ],
};

export async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).withContext('condition reached in time').toBeTrue();
}

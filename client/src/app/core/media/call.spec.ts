import { Device, FakeHandler, testFakeParameters as fake } from 'mediasoup-client';
import type { PeerInfo } from '@raum/protocol';
import { E2eeSession } from '../e2ee/e2ee-session';
import { newRoomSecret } from '../e2ee/room-secret';
import { SignallingChannel } from '../signalling/signalling-channel';
import { FakeServer } from '../testing/fake-server';
import { Call, type Participant } from './call';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';

function cameraTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')!.fillRect(0, 0, 1, 1);
  return canvas.captureStream(5).getVideoTracks()[0];
}

function microphoneTrack(): MediaStreamTrack {
  return new AudioContext().createMediaStreamDestination().stream.getAudioTracks()[0];
}

/** What the scripted server knows: everyone's producers, and which are paused. */
interface Room {
  peers: PeerInfo[];
  paused: Set<string>;
}

/** A server for one room; `room` can change while the call runs. */
function serverFor(room: Room): FakeServer {
  let produced = 0;
  const transport = () => {
    const remote = fake.generateTransportRemoteParameters();
    return { transportId: remote.id, iceParameters: remote.iceParameters, iceCandidates: remote.iceCandidates, dtlsParameters: remote.dtlsParameters };
  };
  return new FakeServer()
    .answer('capabilities', () => ({ protocolVersion: 1, routerRtpCapabilities: fake.generateRouterRtpCapabilities(), requireE2ee: false }))
    .answer('join', () => ({ peerId: 'me', peers: room.peers, iceServers: [], iceTransportPolicy: 'all' }))
    .answer('createTransport', transport)
    .answer('produce', () => ({ producerId: `mine-${++produced}` }))
    .answer('consume', ({ producerId }: { producerId: string }) => {
      const owner = room.peers.find((peer) => peer.producers.some((producer) => producer.producerId === producerId))!;
      const { kind } = owner.producers.find((producer) => producer.producerId === producerId)!;
      const remote = fake.generateConsumerRemoteParameters({ codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8' });
      return { consumerId: remote.id, producerId, peerId: owner.peerId, kind, rtpParameters: remote.rtpParameters, producerPaused: room.paused.has(producerId) };
    });
}

const ADA: PeerInfo = {
  peerId: 'ada',
  displayName: 'Ada',
  e2ee: true,
  producers: [
    { producerId: 'ada-cam', kind: 'video', source: 'camera', paused: false },
    { producerId: 'ada-mic', kind: 'audio', source: 'microphone', paused: true },
  ],
};

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).withContext('condition reached in time').toBeTrue();
}

describe('Call (mediasoup-client with its fake handler, scripted server)', () => {
  let server: FakeServer;
  let room: Room;
  let call: Call;
  let seen: readonly Participant[];

  async function start(peers: PeerInfo[]): Promise<void> {
    const paused = peers.flatMap((peer) => peer.producers.filter((producer) => producer.paused).map((producer) => producer.producerId));
    room = { peers: [...peers], paused: new Set(paused) };
    server = serverFor(room);
    const signalling = new SignallingChannel(server);
    // The fake handler has no encoded transforms: this browser sends and receives plain frames.
    const e2ee = await E2eeSession.create(newRoomSecret(), undefined, (to, payload) => signalling.request('sendKeyMessage', { to, payload }));
    call = new Call(signalling, e2ee, new Device({ handlerFactory: FakeHandler.createFactory(fake) }));
    seen = [];
    call.onChange((participants) => (seen = participants));
  }

  afterEach(() => call.leave());

  it('joins, sends its tracks and receives the streams already in the room', async () => {
    await start([ADA]);
    const camera = cameraTrack();
    await call.join({ roomId: ROOM, displayName: 'Me', camera, microphone: microphoneTrack() });

    expect(server.methods().slice(0, 3)).toEqual(['capabilities', 'join', 'sendKeyMessage']);
    expect(server.requests[1].data).toEqual(jasmine.objectContaining({ e2ee: false, requireE2ee: false }));
    expect(server.methods().filter((method) => method === 'createTransport').length).toBe(2);
    const produced = server.requests.filter((request) => request.method === 'produce').map((request) => request.data.source);
    expect(produced.sort()).toEqual(['camera', 'microphone']);
    const cameraProduce = server.requests.find((request) => request.data?.source === 'camera')!;
    expect(cameraProduce.data.rtpParameters.encodings.length).withContext('simulcast layers').toBe(3);
    // Every consumer is resumed once this side is ready for it.
    const consumed = server.requests.filter((request) => request.method === 'consume').map((request) => request.data.producerId);
    expect(consumed.sort()).toEqual(['ada-cam', 'ada-mic']);
    expect(server.methods().filter((method) => method === 'resumeConsumer').length).toBe(2);

    expect(seen.length).toBe(1);
    expect(seen[0].displayName).toBe('Ada');
    expect(seen[0].camera?.paused).toBeFalse();
    expect(seen[0].camera?.track.kind).toBe('video');
    expect(seen[0].microphone?.paused).withContext('Ada joined muted').toBeTrue();
    expect(camera.readyState).toBe('live');
  });

  it('follows the room: newcomers, their streams, pauses and departures', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    expect(seen).toEqual([]);

    server.notify('peerJoined', { peer: { peerId: 'ben', displayName: 'Ben', e2ee: true, producers: [] } });
    expect(seen.map((participant) => participant.displayName)).toEqual(['Ben']);

    const benCamera = { producerId: 'ben-cam', kind: 'video' as const, source: 'camera' as const, paused: false };
    room.peers.push({ peerId: 'ben', e2ee: true, producers: [benCamera] });
    server.notify('producerAdded', { peerId: 'ben', producer: benCamera });
    await until(() => seen[0]?.camera !== undefined);

    server.notify('producerPaused', { peerId: 'ben', producerId: 'ben-cam' });
    expect(seen[0].camera?.paused).toBeTrue();
    server.notify('producerResumed', { peerId: 'ben', producerId: 'ben-cam' });
    expect(seen[0].camera?.paused).toBeFalse();

    server.notify('peerLeft', { peerId: 'ben' });
    expect(seen).toEqual([]);
  });

  it('keeps a pause that arrives while the stream is being resumed', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    server.notify('peerJoined', { peer: { peerId: 'ben', e2ee: true, producers: [] } });
    const benCamera = { producerId: 'ben-cam', kind: 'video' as const, source: 'camera' as const, paused: false };
    room.peers.push({ peerId: 'ben', e2ee: true, producers: [benCamera] });
    // The server answers "not paused", then Ben pauses before this side has the consumer.
    server.answer('resumeConsumer', () => new Promise((resolve) => setTimeout(() => resolve({}), 20)));
    server.notify('producerAdded', { peerId: 'ben', producer: benCamera });
    await until(() => server.methods().includes('resumeConsumer'));
    server.notify('producerPaused', { peerId: 'ben', producerId: 'ben-cam' });
    await until(() => seen[0]?.camera !== undefined);
    expect(seen[0].camera?.paused).toBeTrue();
  });

  it('pauses and resumes its streams on the server, and sends a source first turned on in the call', async () => {
    await start([]);
    const camera = cameraTrack();
    await call.join({ roomId: ROOM, camera });
    const producerRequests = () => server.requests.filter((request) => request.method.endsWith('roduce') || request.method.endsWith('Producer'));

    await call.setMedia('camera', null);
    await call.setMedia('camera', null);
    expect(camera.readyState).withContext('devices are the caller’s to close').toBe('live');
    const replacement = cameraTrack();
    await call.setMedia('camera', replacement);
    await call.setMedia('microphone', null);
    await call.setMedia('microphone', microphoneTrack());

    expect(producerRequests().map((request) => [request.method, request.data.producerId ?? request.data.source])).toEqual([
      ['produce', 'camera'],
      ['pauseProducer', 'mine-1'],
      ['resumeProducer', 'mine-1'],
      ['produce', 'microphone'],
    ]);
  });

  it('reports a lost connection once, and leaving tells the server', async () => {
    await start([ADA]);
    const failures: string[] = [];
    call.onFailure((reason) => failures.push(reason));
    await call.join({ roomId: ROOM });
    server.drop();
    expect(failures).toEqual(['connection-lost']);

    await start([]);
    await call.join({ roomId: ROOM });
    await call.leave();
    expect(server.methods().at(-1)).toBe('leave');
  });
});

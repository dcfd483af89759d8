import { Device, FakeHandler, testFakeParameters as fake, type types } from 'mediasoup-client';
import type { PeerInfo } from '@raum/protocol';
import { signallingDelivery } from '../e2ee/delivery';
import { E2eeSession } from '../e2ee/e2ee-session';
import type { MediaEncryption } from '../e2ee/media-encryption';
import { LocalMls } from '../e2ee/mls/local-mls';
import { newRoomSecret } from '../e2ee/room-secret';
import { SignallingChannel } from '../signalling/signalling-channel';
import { QUICK_RECONNECT, type FakeServer } from '../testing/fake-server';
import {
  ADA,
  addProducer,
  cameraTrack,
  joinedAnswer,
  microphoneTrack,
  ROOM,
  serverFor,
  until,
  type ScriptedRoom,
} from '../testing/scripted-room';
import { Call } from './call';
import type { Participant } from './call-types';

describe('Call (mediasoup-client with its fake handler, scripted server)', () => {
  let server: FakeServer;
  let room: ScriptedRoom;
  let call: Call;
  let seen: readonly Participant[];
  let transports: types.Transport[];
  let producers: types.Producer[];

  async function start(peers: PeerInfo[], group: 'create' | 'join' = 'create'): Promise<void> {
    const paused = peers.flatMap((peer) => peer.producers.filter((producer) => producer.paused).map((producer) => producer.producerId));
    room = { peers: [...peers], paused: new Set(paused), group };
    server = serverFor(room);
    const signalling = new SignallingChannel(server.open, QUICK_RECONNECT);
    // The fake handler has no encoded transforms: this browser sends and receives plain frames.
    const e2ee = new E2eeSession(newRoomSecret(), undefined, new LocalMls(), signallingDelivery(signalling));
    const device = new Device({ handlerFactory: FakeHandler.createFactory(fake) });
    transports = [];
    producers = [];
    device.observer.on('newtransport', (transport) => {
      transports.push(transport);
      transport.observer.on('newproducer', (producer) => producers.push(producer));
    });
    call = new Call(signalling, e2ee, device);
    seen = [];
    call.on('change', (participants) => (seen = participants));
  }

  afterEach(() => call.leave());

  it('joins, sends its tracks and receives the streams already in the room', async () => {
    await start([ADA], 'join');
    const camera = cameraTrack();
    await call.join({ roomId: ROOM, displayName: 'Me' });
    await call.setMedia('camera', camera);
    await call.setMedia('microphone', microphoneTrack());

    const methods = server.methods();
    expect(methods.slice(0, 2)).toEqual(['capabilities', 'join']);
    // The transports are made while the keys are; our KeyPackage is out before anything is sent.
    expect(methods.filter((method) => method === 'publishKeyPackage').length).toBe(1);
    expect(methods.indexOf('publishKeyPackage')).toBeLessThan(methods.indexOf('produce'));
    expect(server.requests[1].data).toEqual(jasmine.objectContaining({ e2ee: false, requireE2ee: false }));
    expect(server.requests[1].data.hostKey).withContext('a guest link has no host key').toBeUndefined();
    expect(server.methods().filter((method) => method === 'createTransport').length).toBe(2);
    const produced = server.requests.filter((request) => request.method === 'produce').map((request) => request.data.source);
    expect(produced.sort()).toEqual(['camera', 'microphone']);
    const cameraProduce = server.requests.find((request) => request.data?.source === 'camera')!;
    expect(cameraProduce.data.rtpParameters.encodings.length).withContext('simulcast layers').toBe(3);
    // The server pushed both of Ada's streams; each is resumed once this side is ready for it, without a request for it.
    await until(() => seen[0]?.camera !== undefined && seen[0]?.microphone !== undefined);
    expect(server.methods().filter((method) => method === 'resumeConsumer').length).toBe(2);

    expect(seen.length).toBe(1);
    expect(seen[0].peerId).toBe('ada');
    expect(seen[0].displayName).withContext('names come end-to-end encrypted, from the group').toBeUndefined();
    expect(seen[0].camera?.paused).toBeFalse();
    expect(seen[0].camera?.track.kind).toBe('video');
    expect(seen[0].microphone?.paused).withContext('Ada joined muted').toBeTrue();
    expect(camera.readyState).toBe('live');
  });

  it('lets ICE and DTLS start without waiting for the SFU to answer connectTransport', async () => {
    await start([]);
    let answerConnect: (() => void) | undefined;
    server.answer('connectTransport', () => new Promise((resolve) => (answerConnect = () => resolve({}))));
    await call.join({ roomId: ROOM });
    const sent = call.setMedia('camera', cameraTrack());
    // The camera goes out while the SFU still owes its answer (which the server gives first: it keeps a socket's order).
    await until(() => server.methods().includes('produce') && answerConnect !== undefined);
    expect(server.methods().indexOf('connectTransport')).toBeLessThan(server.methods().indexOf('produce'));
    answerConnect!();
    await sent;
  });

  it('asks for both transports right behind the join, without waiting for its answer, and makes them from those answers', async () => {
    await start([ADA], 'join');
    let answerJoin: (() => void) | undefined;
    server.answer('join', () => new Promise((resolve) => (answerJoin = () => resolve(joinedAnswer(room)))));
    const joining = call.join({ roomId: ROOM });
    await until(() => server.methods().length === 4);
    expect(server.methods()).toEqual(['capabilities', 'join', 'createTransport', 'createTransport']);
    expect(answerJoin).withContext('the join is not answered yet').toBeDefined();
    answerJoin?.();
    await joining;
    await call.setMedia('camera', cameraTrack());
    await until(() => seen[0]?.camera !== undefined);
    expect(server.methods().filter((method) => method === 'createTransport').length)
      .withContext('not asked again')
      .toBe(2);
    expect(transports.map((transport) => transport.direction).sort()).toEqual(['recv', 'send']);
  });

  it('fails the call, once, when the SFU cannot be given a transport’s DTLS parameters', async () => {
    await start([ADA], 'join');
    const failures: string[] = [];
    call.on('failure', (reason) => failures.push(reason));
    server.fail('connectTransport', 'not-found', 'no such transport');
    await call.join({ roomId: ROOM });
    await until(() => failures.length > 0);
    expect(failures).toEqual(['server-error']);
    expect(call.closed).toBeTrue();
    expect(transports.every((transport) => transport.closed)).toBeTrue();
  });

  it('joins as host with the host link’s key', async () => {
    await start([]);
    await call.join({ roomId: ROOM, hostKey: new Uint8Array(16).fill(7) });
    expect(server.requests[1].data.hostKey).toBe('BwcHBwcHBwcHBwcHBwcHBw');
  });

  it('follows the room: newcomers, their streams, pauses and departures', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    expect(seen).toEqual([]);

    server.notify('peerJoined', { peer: { peerId: 'ben', e2ee: true, host: true, producers: [] } });
    expect(seen.map((participant) => participant.peerId)).toEqual(['ben']);
    expect(seen[0].host).toBeTrue();

    const benCamera = { producerId: 'ben-cam', kind: 'video' as const, source: 'camera' as const, paused: false };
    room.peers.push({ peerId: 'ben', e2ee: true, host: false, producers: [benCamera] });
    addProducer(server, room, 'ben', benCamera);
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
    server.notify('peerJoined', { peer: { peerId: 'ben', e2ee: true, host: false, producers: [] } });
    const benCamera = { producerId: 'ben-cam', kind: 'video' as const, source: 'camera' as const, paused: false };
    room.peers.push({ peerId: 'ben', e2ee: true, host: false, producers: [benCamera] });
    // The server answers "not paused", then Ben pauses before this side has the consumer.
    server.answer('resumeConsumer', () => new Promise((resolve) => setTimeout(() => resolve({}), 20)));
    addProducer(server, room, 'ben', benCamera);
    await until(() => server.methods().includes('resumeConsumer'));
    server.notify('producerPaused', { peerId: 'ben', producerId: 'ben-cam' });
    await until(() => seen[0]?.camera !== undefined);
    expect(seen[0].camera?.paused).toBeTrue();
  });

  it('gives a pushed stream its tile at once, and resumes it only once its sender’s key is here', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    // Streams are pushed once the receive transport exists.
    await until(() => transports.length === 2);
    // As in a browser with encoded transforms; the fake handler has no receivers to transform.
    (call.e2ee as { media: MediaEncryption }).media = jasmine.createSpyObj<MediaEncryption>('media', [
      'decryptReceiver',
      'setKey',
      'setMode',
      'forget',
      'terminate',
    ]);
    let keyHere: () => void = () => undefined;
    spyOn(call.e2ee, 'keyReady').and.returnValue(new Promise<void>((resolve) => (keyHere = resolve)));
    server.notify('peerJoined', { peer: { peerId: 'ben', e2ee: true, host: false, producers: [] } });
    const benCamera = { producerId: 'ben-cam', kind: 'video' as const, source: 'camera' as const, paused: false };
    room.peers.push({ peerId: 'ben', e2ee: true, host: false, producers: [benCamera] });
    addProducer(server, room, 'ben', benCamera);

    await until(() => seen[0]?.camera !== undefined);
    // Its tile, small, says so before the key is here.
    call.setReception('ben', 'camera', { visible: true, layer: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const told = () => server.requests.filter((request) => request.method === 'setPreferredLayers' || request.method === 'resumeConsumer');
    expect(told()).withContext('nothing arrives before the key could decrypt it').toEqual([]);

    keyHere();
    await until(() => told().length === 2);
    expect(told().map((request) => [request.method, request.data.spatialLayer])).toEqual([
      ['setPreferredLayers', 0],
      ['resumeConsumer', undefined],
    ]);
  });

  it('pauses and resumes its streams on the server, and sends a source first turned on in the call', async () => {
    await start([]);
    const camera = cameraTrack();
    await call.join({ roomId: ROOM });
    await call.setMedia('camera', camera);
    const producerRequests = () =>
      server.requests.filter((request) => request.method.endsWith('roduce') || request.method.endsWith('Producer'));

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

  it('encodes its camera in the layers the SFU asks for, also when asked before the camera is known here', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    // The server's word on the layers overtakes its answer to produce: it is kept until the camera is known here.
    server.answer('produce', () => {
      server.notify('sendLayers', { producerId: 'mine-1', spatialLayer: 1 });
      return { producerId: 'mine-1' };
    });
    await call.setMedia('camera', cameraTrack());
    await until(() => producers[0]?.maxSpatialLayer === 1);
    server.notify('sendLayers', { producerId: 'mine-1', spatialLayer: 0 });
    await until(() => producers[0].maxSpatialLayer === 0);
    // A stream it does not send (gone meanwhile) changes nothing.
    server.notify('sendLayers', { producerId: 'gone', spatialLayer: 2 });
    server.notify('sendLayers', { producerId: 'mine-1', spatialLayer: 2 });
    await until(() => producers[0].maxSpatialLayer === 2);
  });

  it('rides out a dropped socket without anyone noticing, and fails once when the server stays away', async () => {
    await start([ADA]);
    const failures: string[] = [];
    const reconnecting: boolean[] = [];
    call.on('failure', (reason) => failures.push(reason));
    call.on('connection', (value) => reconnecting.push(value));
    await call.join({ roomId: ROOM });
    server.drop();
    await until(() => reconnecting.length === 2);
    expect(reconnecting).toEqual([true, false]);
    expect(failures).toEqual([]);
    expect(seen.length).withContext('Ada is still there').toBe(1);

    server.unreachable = true;
    server.drop();
    await until(() => failures.length > 0);
    expect(failures).toEqual(['connection-lost']);
    expect(call.closed).toBeTrue();
  });

  it('reports an expired session, so that the page can join afresh', async () => {
    await start([ADA]);
    const failures: string[] = [];
    call.on('failure', (reason) => failures.push(reason));
    await call.join({ roomId: ROOM });
    server.restart();
    await until(() => failures.length > 0);
    expect(failures).toEqual(['session-expired']);
    expect(call.closed).toBeTrue();
  });

  it('closes everything once: transports, connection and E2EE worker, and leaving tells the server', async () => {
    await start([ADA]);
    await call.join({ roomId: ROOM });
    await call.setMedia('camera', cameraTrack());
    const terminate = spyOn(call.e2ee, 'close').and.callThrough();
    await call.leave();
    expect(server.methods().at(-1)).toBe('leave');
    expect(transports.every((transport) => transport.closed)).toBeTrue();
    expect(server.socket?.closedWith).toEqual([1000]);
    call.close();
    await call.leave();
    expect(terminate).toHaveBeenCalledTimes(1);
    expect(server.methods().filter((method) => method === 'leave').length).toBe(1);
  });

  it('restarts ICE when a transport’s connectivity fails or the network changes', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    await call.setMedia('camera', cameraTrack());
    const restarts = () => server.requests.filter((request) => request.method === 'restartIce').map((request) => request.data.transportId);
    server.answer('restartIce', () => ({ iceParameters: fake.generateTransportRemoteParameters().iceParameters }));
    const [recv, send] = transports;
    (send.handler as unknown as { setConnectionState(state: string): void }).setConnectionState('failed');
    await until(() => restarts().length === 1);
    expect(restarts()).toEqual([send.id]);
    // Not again right away, however often it is asked.
    call.networkChanged();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(restarts()).toEqual([send.id, recv.id]);
  });

  it('sends and receives anew on new transports when the SFU lost the room’s media, with the same people', async () => {
    await start([ADA]);
    const camera = cameraTrack();
    await call.join({ roomId: ROOM });
    await call.setMedia('camera', camera);
    await call.setMedia('microphone', microphoneTrack());
    await call.setMedia('microphone', null);
    const before = transports.slice();
    server.requests.length = 0;

    // The room moved to a new router: Ada sends again with new producers.
    server.notify('mediaReset', {});
    const adaAgain = { ...ADA, producers: [{ producerId: 'ada-cam-2', kind: 'video' as const, source: 'camera' as const, paused: false }] };
    room.peers = [adaAgain];
    // Announced; its consumer comes with the new receive transport.
    server.notify('producerAdded', { peerId: 'ada', producer: adaAgain.producers[0] });
    await until(() => seen[0]?.camera?.producerId === 'ada-cam-2' && server.methods().includes('produce'));
    expect(before.every((transport) => transport.closed))
      .withContext('the old transports are gone')
      .toBeTrue();
    expect(server.methods().filter((method) => method === 'createTransport').length).toBe(2);
    expect(server.requests.filter((request) => request.method === 'produce').map((request) => request.data.source))
      .withContext('the muted microphone stays off')
      .toEqual(['camera']);
    expect(server.methods().filter((method) => method === 'resumeConsumer').length)
      .withContext('only the new stream is received')
      .toBe(1);
    expect(seen.map((participant) => participant.peerId)).toEqual(['ada']);
    expect(camera.readyState).toBe('live');
  });

  it('renews TURN credentials on its transports and looks for paths with them', async () => {
    await start([]);
    await call.join({ roomId: ROOM });
    // The transports are made once joined, while the keys are.
    await until(() => transports.length === 2);
    server.answer('restartIce', () => ({ iceParameters: fake.generateTransportRemoteParameters().iceParameters }));
    const updates = transports.map((transport) => spyOn(transport, 'updateIceServers').and.callThrough());
    const iceServers = [{ urls: ['turn:turn.example.org:3478'], username: '1:x', credential: 'c' }];
    server.notify('iceServers', { iceServers });
    await until(() => server.methods().filter((method) => method === 'restartIce').length === 2);
    for (const update of updates) expect(update).toHaveBeenCalledOnceWith({ iceServers });
  });

  it('tells the page when the server is about to restart', async () => {
    await start([]);
    const notices: string[] = [];
    call.on('notice', (notice) => notices.push(notice));
    await call.join({ roomId: ROOM });
    server.notify('serverDraining', { closesInMs: 30_000 });
    expect(notices).toEqual(['server-restarting']);
  });
});

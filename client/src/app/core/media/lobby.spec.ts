import { Device, FakeHandler, testFakeParameters as fake } from 'mediasoup-client';
import { signallingDelivery } from '../e2ee/delivery';
import { E2eeSession } from '../e2ee/e2ee-session';
import { openKnock, sealKnock } from '../e2ee/link-secret';
import { LocalMls } from '../e2ee/mls/local-mls';
import { newRoomSecret, type RoomSecret } from '../e2ee/room-secret';
import { SignallingChannel } from '../signalling/signalling-channel';
import { QUICK_RECONNECT, type FakeServer } from '../testing/fake-server';
import { ADA, admit, cameraTrack, ROOM, serverFor, until, type ScriptedRoom } from '../testing/scripted-room';
import { Call } from './call';
import { joinFailure } from './call-types';

describe('the lobby (scripted server)', () => {
  let server: FakeServer;
  let room: ScriptedRoom;
  let call: Call;
  let link: RoomSecret;

  function start(scripted: ScriptedRoom): void {
    room = scripted;
    link = newRoomSecret();
    server = serverFor(room);
    const signalling = new SignallingChannel(server.open, QUICK_RECONNECT);
    const e2ee = new E2eeSession(link, undefined, new LocalMls(), signallingDelivery(signalling));
    call = new Call(signalling, e2ee, new Device({ handlerFactory: FakeHandler.createFactory(fake) }));
  }

  afterEach(() => call.leave());

  it('waits with nothing of the room, knocks with its name sealed for the members, and goes on once admitted', async () => {
    start({ peers: [ADA], paused: new Set(), group: 'join', lobby: true });
    let waiting = false;
    call.on('waiting', () => (waiting = true));
    const joining = call.join({ roomId: ROOM, displayName: 'Eve' });
    await until(() => server.methods().includes('knock'));

    expect(waiting).toBeTrue();
    // The transports asked for right behind the join were refused: a knocker holds nothing on the SFU.
    expect(server.methods()).toEqual(['capabilities', 'join', 'createTransport', 'createTransport', 'knock']);
    expect(call.participants).toEqual([]);
    const sealed: string = server.requests.find((request) => request.method === 'knock')!.data.name;
    expect(sealed).not.toContain('Eve');
    expect(await openKnock(link.secret, ROOM, 'me', sealed))
      .withContext('a member opens it')
      .toBe('Eve');
    expect(await openKnock(link.secret, ROOM, 'someone-else', sealed))
      .withContext('shown for another knock')
      .toBeUndefined();
    expect(await openKnock(newRoomSecret().secret, ROOM, 'me', sealed))
      .withContext('with another link')
      .toBeUndefined();

    // A host admits only after the server has handled what came before the knock (it refused both transports then).
    await server.socket!.queue;
    admit(server, room);
    await joining;
    await call.setMedia('camera', cameraTrack());
    expect(server.methods()).toContain('publishKeyPackage');
    expect(server.methods().filter((method) => method === 'createTransport').length)
      .withContext('asked for again once admitted')
      .toBe(4);
    expect(call.participants.map((participant) => participant.peerId)).toEqual(['ada']);
  });

  it('fails the join with the reason when a host turns it away', async () => {
    start({ peers: [ADA], paused: new Set(), lobby: true });
    const joining = call.join({ roomId: ROOM, displayName: 'Eve' });
    await until(() => server.methods().includes('knock'));
    server.notify('knockRefused', { reason: 'denied' });
    const error = await joining.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(joinFailure(error)).toBe('denied');
    expect(server.methods())
      .withContext('no transport asked for after the two behind the join, which the lobby refused')
      .toEqual(['capabilities', 'join', 'createTransport', 'createTransport', 'knock']);
  });

  it('fails the join as a lost connection when the socket goes while it waits', async () => {
    start({ peers: [ADA], paused: new Set(), lobby: true });
    const joining = call.join({ roomId: ROOM, displayName: 'Eve' });
    await until(() => server.methods().includes('knock'));
    server.drop();
    const error = await joining.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(joinFailure(error)).toBe('connection-lost');
  });

  it('shows a host who waits, by the name that opens with this link, and forgets who left', async () => {
    const other = newRoomSecret();
    start({ peers: [], paused: new Set(), knocks: [] });
    room.knocks = [{ knockId: 'k-eve', name: await sealKnock(link.secret, ROOM, 'k-eve', 'Eve') }];
    let changes = 0;
    call.host.on('knocks', () => changes++);
    await call.join({ roomId: ROOM, hostKey: new Uint8Array(16).fill(7) });
    await until(() => call.host.knocks.length === 1);
    expect(call.host.knocks).toEqual([{ knockId: 'k-eve', name: 'Eve' }]);

    server.notify('knocked', { knockId: 'k-mal', name: await sealKnock(other.secret, ROOM, 'k-mal', 'Ada') });
    await until(() => call.host.knocks.length === 2);
    expect(call.host.knocks[1]).toEqual({ knockId: 'k-mal', name: undefined });
    // One that ends before its name is open is never shown.
    server.notify('knocked', { knockId: 'k-gone', name: await sealKnock(link.secret, ROOM, 'k-gone', 'Gone') });
    server.notify('knockEnded', { knockId: 'k-gone' });
    server.notify('knockEnded', { knockId: 'k-eve' });
    await until(() => call.host.knocks.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(call.host.knocks.map((knock) => knock.knockId)).toEqual(['k-mal']);
    expect(changes).toBe(3);

    await call.host.admit('k-mal');
    expect(server.requests.at(-1)).toEqual(jasmine.objectContaining({ method: 'admitKnock', data: { knockId: 'k-mal' } }));
  });
});

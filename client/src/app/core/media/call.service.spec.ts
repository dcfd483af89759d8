import { TestBed } from '@angular/core/testing';
import { Device, FakeHandler, testFakeParameters as fake } from 'mediasoup-client';
import { signallingDelivery } from '../e2ee/delivery';
import { E2eeSession } from '../e2ee/e2ee-session';
import { LocalMls } from '../e2ee/mls/local-mls';
import { newRoomSecret, type RoomSecret } from '../e2ee/room-secret';
import { SignallingChannel } from '../signalling/signalling-channel';
import { QUICK_RECONNECT, type FakeServer } from '../testing/fake-server';
import { ADA, ROOM, serverFor, until } from '../testing/scripted-room';
import { AppUpdate } from '../update/app-update';
import { Call } from './call';
import { CALL_FACTORY } from './call-factory';
import { CallService } from './call.service';

/** CallService over scripted servers: each call it makes gets a server of its own, as a new connection would. */
describe('CallService', () => {
  let servers: FakeServer[];
  let calls: Call[];
  let script: (server: FakeServer) => void;
  /** Streams the SFU holds paused: a fake receiver's track cannot be listened to, so a spec that redraws the people pauses Ada's microphone. */
  let paused: Set<string>;
  let service: CallService;
  let reload: jasmine.Spy<() => Promise<boolean>>;
  const room: RoomSecret = newRoomSecret();

  beforeEach(() => {
    servers = [];
    calls = [];
    script = () => undefined;
    paused = new Set();
    reload = jasmine.createSpy('reload').and.resolveTo(false);
    TestBed.configureTestingModule({
      providers: [
        CallService,
        { provide: AppUpdate, useValue: { reload, callStarted: () => () => undefined } },
        {
          provide: CALL_FACTORY,
          useValue: async (secret: RoomSecret) => {
            const server = serverFor({ peers: [ADA], paused });
            script(server);
            servers.push(server);
            const signalling = new SignallingChannel(server.open, QUICK_RECONNECT);
            const e2ee = new E2eeSession(secret, undefined, new LocalMls(), signallingDelivery(signalling));
            const call = new Call(signalling, e2ee, new Device({ handlerFactory: FakeHandler.createFactory(fake) }));
            calls.push(call);
            return call;
          },
        },
      ],
    });
    service = TestBed.inject(CallService);
  });

  afterEach(() => service.ngOnDestroy());

  async function inCall(): Promise<void> {
    await service.preview(room);
    await service.join(ROOM, 'Me');
    expect(service.phase()).toBe('in-call');
  }

  /** Everything of a call is released: its socket, its transports, its E2EE session. */
  function expectReleased(call: Call, server: FakeServer): void {
    expect(call.closed).withContext('the call is closed').toBeTrue();
    expect(server.sockets.every((socket) => socket.readyState === 3))
      .withContext('no socket stays open')
      .toBeTrue();
  }

  it('closes the connection and releases the devices when the join is refused', async () => {
    script = (server) => server.fail('join', 'room-full', 'full');
    await service.preview(room);
    const camera = service.camera()!;
    await service.join(ROOM, 'Me');
    expect(service.phase()).toBe('failed');
    expect(service.failure()).toBe('room-full');
    expectReleased(calls[0], servers[0]);
    expect(servers[0].socket?.closedWith).toEqual([1000]);
    expect(camera.readyState).toBe('ended');
  });

  it('fails with connection-lost and holds nothing when the server goes away during the join', async () => {
    script = (server) =>
      server.answer('join', () => {
        server.unreachable = true;
        server.drop();
        return new Promise(() => undefined);
      });
    await service.preview(room);
    await service.join(ROOM, 'Me');
    expect(service.failure()).toBe('connection-lost');
    expectReleased(calls[0], servers[0]);
  });

  it('joins afresh by itself when the server forgot the session, keeping the chat', async () => {
    await inCall();
    await service.sendChat('before');
    servers[0].restart();
    await until(
      () => servers.length === 2 && service.phase() === 'in-call' && !service.reconnecting() && calls[1].participants.length === 1,
    );
    expect(service.failure()).toBeUndefined();
    expect(servers[1].methods()).toContain('join');
    expectReleased(calls[0], servers[0]);
    expect(service.participants().map((participant) => participant.peerId)).toEqual(['ada']);
    expect(service.chat().map((line) => line.text)).toEqual(['before']);
  });

  it('shows "reconnecting" while the socket is replaced, and asks for nothing', async () => {
    await inCall();
    const shown = spyOn(service.reconnecting, 'set').and.callThrough();
    servers[0].freeze();
    await until(() => shown.calls.count() === 2);
    expect(shown.calls.allArgs()).toEqual([[true], [false]]);
    expect(service.phase()).toBe('in-call');
    expect(servers.length).withContext('the same session, resumed').toBe(1);
  });

  it('gives up when the server stays unreachable: connection-lost, everything released', async () => {
    await inCall();
    servers[0].unreachable = true;
    servers[0].drop();
    await until(() => service.phase() === 'failed');
    expect(service.failure()).toBe('connection-lost');
    expectReleased(calls[0], servers[0]);
  });

  it('updates the app when the server speaks a newer protocol, and says so if that did not help', async () => {
    script = (server) => server.fail('capabilities', 'upgrade-required', 'newer');
    await service.preview(room);
    await until(() => reload.calls.count() === 1);
    await until(() => service.failure() === 'upgrade-required');
  });

  it('follows the hosts: a mute turns the microphone off here and never on, an ask shows until this person unmutes', async () => {
    await inCall();
    expect(service.microphoneOn()).toBeTrue();
    servers[0].notify('mutedByHost', { by: 'ada' });
    await until(() => !service.microphoneOn());
    expect(service.host.fromHost()).toBe('muted');
    expect(servers[0].methods()).toContain('pauseProducer');
    // Said again while muted, it changes nothing: a host cannot turn a microphone on.
    servers[0].notify('mutedByHost', { by: 'ada' });
    servers[0].notify('unmuteAsked', { by: 'ada' });
    await until(() => service.host.fromHost() === 'asked-to-unmute');
    expect(service.microphoneOn()).toBeFalse();
    await service.toggleMicrophone(true);
    expect(service.microphoneOn()).toBeTrue();
    expect(service.host.fromHost()).toBeUndefined();
    expect(servers[0].methods().at(-1)).toBe('resumeProducer');
  });

  it('makes this person a host when made co-host, and ends for good when a host ends the meeting', async () => {
    paused = new Set(['ada-mic']);
    await inCall();
    expect(service.host.isHost()).toBeFalse();
    servers[0].notify('hostAdded', { peerId: 'ada' });
    await until(() => service.participants()[0]?.host === true);
    expect(service.host.isHost()).toBeFalse();
    servers[0].notify('hostAdded', { peerId: 'me' });
    await until(() => service.host.isHost());
    servers[0].notify('meetingLocked', { locked: true, by: 'ada' });
    await until(() => service.host.locked());
    servers[0].notify('meetingEnded', { by: 'ada' });
    await until(() => service.phase() === 'failed');
    expect(service.failure()).toBe('meeting-ended');
    expect(service.host.isHost()).toBeFalse();
    expectReleased(calls[0], servers[0]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(servers.length).withContext('nobody joins the ended meeting again by themselves').toBe(1);
  });

  it('is out for good when a host removes this person, and says so when a locked meeting refuses the join', async () => {
    await inCall();
    servers[0].notify('removedByHost', { by: 'ada' });
    await until(() => service.phase() === 'failed');
    expect(service.failure()).toBe('removed');
    expectReleased(calls[0], servers[0]);

    script = (server) => server.fail('join', 'meeting-locked', 'locked');
    await service.again();
    await service.join(ROOM, 'Me');
    expect(service.failure()).toBe('meeting-locked');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(servers.length).withContext('no join again by itself').toBe(2);
  });

  it('leaves: tells the server, closes the socket cleanly, releases the devices', async () => {
    await inCall();
    const camera = service.camera()!;
    await service.leave();
    expect(service.phase()).toBe('left');
    expect(servers[0].methods().at(-1)).toBe('leave');
    expect(servers[0].socket?.closedWith).toEqual([1000]);
    expectReleased(calls[0], servers[0]);
    expect(camera.readyState).toBe('ended');
  });
});

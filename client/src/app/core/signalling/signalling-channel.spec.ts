import type { RequestData } from '@raum/protocol';
import { FakeServer } from '../testing/fake-server';
import { joinedAnswer } from '../testing/scripted-room';
import { SignallingChannel, SignallingError, type ChannelState } from './signalling-channel';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
const HEARTBEAT = { intervalMs: 40, timeoutMs: 120 };
const QUICK = { firstMs: 5, maxMs: 20, giveUpMs: 400, openTimeoutMs: 120, firstConnectMs: 400 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await sleep(5);
  }
}

const produce: RequestData<'produce'> = {
  transportId: 't',
  kind: 'audio',
  source: 'microphone',
  rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] },
};

describe('SignallingChannel', () => {
  let server: FakeServer;
  let channel: SignallingChannel;
  let states: ChannelState[];

  beforeEach(() => {
    server = new FakeServer();
    channel = new SignallingChannel(server.open, QUICK, () => 0.5);
    channel.setHeartbeat(HEARTBEAT);
    states = [];
    channel.onState((state) => states.push(state));
  });

  afterEach(() => channel.close());

  /** Joins, so that the channel holds a resumable session. */
  async function joined(on = channel): Promise<void> {
    server.answer('join', () => joinedAnswer({ peers: [], paused: new Set() }));
    const answer = await on.request('join', { roomId: ROOM, rtpCapabilities: {}, e2ee: true });
    on.keepSession('resumeToken' in answer ? answer.resumeToken : undefined);
  }

  it('opens a socket with the first request, matches answers and checks them against the protocol', async () => {
    expect(channel.state).toBe('idle');
    server.answer('produce', () => ({ producerId: 'p1' }));
    await expectAsync(channel.request('produce', produce)).toBeResolvedTo({ producerId: 'p1' });
    expect(server.requests[0]).toEqual(jasmine.objectContaining({ method: 'produce' }));
    expect(states).toEqual(['connecting', 'open']);
    server.answer('produce', () => ({ wrong: true }));
    await expectAsync(channel.request('produce', produce)).toBeRejectedWith(jasmine.objectContaining({ code: 'bad-request' }));
  });

  it('rejects with the server’s error code', async () => {
    server.fail('join', 'room-full', 'full');
    const error = await channel.request('join', { roomId: ROOM, rtpCapabilities: {}, e2ee: true }).catch((e: unknown) => e);
    expect(error).toEqual(jasmine.any(SignallingError));
    expect((error as SignallingError).code).toBe('room-full');
  });

  it('delivers valid notifications and drops malformed ones', async () => {
    await channel.request('leave', {});
    const seen: string[] = [];
    const stop = channel.on('peerLeft', ({ peerId }) => seen.push(peerId));
    server.notify('peerLeft', { peerId: 'a' });
    server.notify('peerLeft', {} as never);
    stop();
    server.notify('peerLeft', { peerId: 'b' });
    expect(seen).toEqual(['a']);
  });

  it('pings with what it has received, and gives a silent socket up within the timeout', async () => {
    await joined();
    server.notify('peerLeft', { peerId: 'a' });
    await until(() => server.acknowledged === 2, 'a ping acknowledging both messages');
    server.freeze();
    const frozenAt = Date.now();
    await until(() => channel.state === 'reconnecting', 'the silent socket is given up');
    expect(Date.now() - frozenAt).toBeLessThan(HEARTBEAT.timeoutMs + 100);
    expect(server.sockets[0].closedWith).toEqual([4001]);
  });

  it('does not take its own standstill (a busy or suspended page) for a dead socket', async () => {
    await joined();
    const busyUntil = Date.now() + 3 * HEARTBEAT.timeoutMs;
    while (Date.now() < busyUntil) {
      // The page's thread does nothing else meanwhile: no tick, no message.
    }
    await sleep(HEARTBEAT.timeoutMs / 2);
    expect(channel.state).toBe('open');
    expect(server.sockets.length).toBe(1);
  });

  it('does not give up a socket that is still opening while the page itself stood still', async () => {
    await joined();
    server.unreachable = true;
    server.drop();
    await until(() => server.sockets.length === 2, 'a new socket is opening');
    const busyUntil = Date.now() + 3 * QUICK.openTimeoutMs;
    while (Date.now() < busyUntil) {
      // As above: the page stands still while its socket opens.
    }
    await sleep(HEARTBEAT.intervalMs / 2);
    server.socket!.accept();
    await until(() => channel.state === 'open', 'resumed on the socket that was opening');
    expect(server.sockets.length).toBe(2);
  });

  it('without a session, fails pending requests when the socket goes and opens a new one for the next', async () => {
    server.answer('capabilities', () => new Promise(() => undefined));
    const pending = channel.request('capabilities', {});
    await until(() => server.requests.length === 1, 'the request is sent');
    server.drop();
    await expectAsync(pending).toBeRejectedWith(jasmine.objectContaining({ code: 'closed' }));
    expect(channel.state).toBe('idle');
    server.answer('capabilities', () => ({}));
    await channel.request('capabilities', {}).catch(() => undefined);
    expect(server.sockets.length).toBe(2);
  });

  it('without a session, tries again when a socket does not open: the request goes out once one does', async () => {
    server.unreachable = true;
    const answered = channel.request('leave', {});
    await until(() => server.sockets.length >= 3, 'a third socket after two that did not open');
    server.socket!.accept();
    await expectAsync(answered).toBeResolvedTo({});
    expect(server.requests.length).toBe(1);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('without a session, fails the waiting requests once sockets have not opened for a while', async () => {
    server.unreachable = true;
    const startedAt = Date.now();
    const error = await channel.request('leave', {}).catch((e: unknown) => e);
    expect(error).toEqual(jasmine.objectContaining({ code: 'closed' }));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(QUICK.firstConnectMs);
    expect(server.requests.length).toBe(0);
    expect(channel.state).toBe('idle');
  });

  it('resumes a session on a new socket: the missed messages once, lost requests sent again, nothing twice', async () => {
    await joined();
    const seen: string[] = [];
    channel.on('peerLeft', ({ peerId }) => seen.push(peerId));
    server.notify('peerLeft', { peerId: 'before' });
    await until(() => seen.length === 1, 'the first notification');

    // The network dies silently; meanwhile the server sends on, and this side asks for something.
    server.freeze();
    server.notify('peerLeft', { peerId: 'during' });
    server.answer('produce', () => ({ producerId: 'p1' }));
    const request = channel.request('produce', produce);
    await until(() => channel.state === 'reconnecting', 'the silent socket is given up');
    await expectAsync(request).toBeResolvedTo({ producerId: 'p1' });
    await until(() => seen.length === 2, 'the replay');
    expect(seen).toEqual(['before', 'during']);
    expect(server.methods().filter((method) => method === 'produce').length)
      .withContext('sent once: the first copy never arrived')
      .toBe(1);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // The replay repeats nothing this side had.
    server.notify('peerLeft', { peerId: 'after' });
    await until(() => seen.length === 3, 'live again');
    expect(seen).toEqual(['before', 'during', 'after']);
  });

  it('gets the answer to a request the server had already received from the replay, without sending it twice', async () => {
    await joined();
    let release: (() => void) | undefined;
    server.answer('produce', () => new Promise((resolve) => (release = () => resolve({ producerId: 'p2' }))));
    const request = channel.request('produce', produce);
    await until(() => release !== undefined, 'the request arrives');
    server.freeze();
    release!();
    await expectAsync(request).toBeResolvedTo({ producerId: 'p2' });
    expect(server.methods().filter((method) => method === 'produce').length).toBe(1);
  });

  it('tells its owner when the server no longer has the session, and keeps the socket for a fresh start', async () => {
    await joined();
    const lost = jasmine.createSpy('sessionLost');
    channel.onSessionLost(lost);
    server.answer('produce', () => new Promise(() => undefined));
    const request = channel.request('produce', produce);
    server.restart();
    await expectAsync(request).toBeRejectedWith(jasmine.objectContaining({ code: 'session-lost' }));
    expect(lost).toHaveBeenCalledOnceWith('resume-failed');
    expect(channel.state).toBe('open');
    server.answer('produce', () => ({ producerId: 'p3' }));
    await expectAsync(channel.request('produce', produce)).toBeResolvedTo({ producerId: 'p3' });
    expect(server.sockets.length).toBe(2);
  });

  it('backs off with jitter while the server is unreachable, and gives up in the end', async () => {
    await joined();
    server.unreachable = true;
    const pending = channel.request('produce', produce).catch((error: unknown) => error);
    server.drop();
    await until(() => channel.state === 'closed', 'gives up', 2000);
    expect(await pending).toEqual(jasmine.objectContaining({ code: 'closed' }));
    const attempts = server.sockets.length - 1;
    // Each attempt waits for its socket to open (120 ms) plus a growing, jittered pause.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(5);
    await expectAsync(channel.request('capabilities', {})).toBeRejectedWith(jasmine.objectContaining({ code: 'closed' }));
  });

  it('tries at once when told the network is back', async () => {
    await joined();
    const slow = new SignallingChannel(
      server.open,
      { firstMs: 10_000, maxMs: 10_000, giveUpMs: 60_000, openTimeoutMs: 120, firstConnectMs: 400 },
      () => 1,
    );
    slow.setHeartbeat(HEARTBEAT);
    await joined(slow);
    server.drop();
    await until(() => slow.state === 'reconnecting', 'the socket is lost');
    slow.retryNow();
    await until(() => slow.state === 'open', 'resumed without waiting 10 s');
    slow.close();
  });

  it('closes for good: the socket with 1000, and pending requests fail', async () => {
    await joined();
    server.answer('produce', () => new Promise(() => undefined));
    const pending = channel.request('produce', produce);
    channel.close();
    await expectAsync(pending).toBeRejectedWith(jasmine.objectContaining({ code: 'closed' }));
    expect(server.socket?.closedWith).toEqual([1000]);
    expect(channel.state).toBe('closed');
  });
});

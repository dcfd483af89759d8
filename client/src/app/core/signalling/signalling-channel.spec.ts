import { FakeServer } from '../testing/fake-server';
import { SignallingChannel, SignallingError } from './signalling-channel';

describe('SignallingChannel', () => {
  let server: FakeServer;
  let channel: SignallingChannel;

  beforeEach(() => {
    server = new FakeServer();
    channel = new SignallingChannel(server);
  });

  it('matches answers to requests and checks them against the protocol', async () => {
    server.answer('produce', () => ({ producerId: 'p1' }));
    await expectAsync(channel.request('produce', { transportId: 't', kind: 'audio', source: 'microphone', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] } })).toBeResolvedTo({ producerId: 'p1' });
    expect(server.requests[0]).toEqual(jasmine.objectContaining({ method: 'produce' }));
  });

  it('rejects with the server’s error code', async () => {
    server.fail('join', 'room-full', 'full');
    const error = await channel.request('join', { roomId: 'AAAAAAAAAAAAAAAAAAAAAA', rtpCapabilities: {}, e2ee: true }).catch((e: unknown) => e);
    expect(error).toEqual(jasmine.any(SignallingError));
    expect((error as SignallingError).code).toBe('room-full');
  });

  it('rejects an answer that breaks the protocol', async () => {
    server.answer('produce', () => ({ wrong: true }));
    const error = await channel.request('produce', { transportId: 't', kind: 'audio', source: 'microphone', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] } }).catch((e: unknown) => e);
    expect((error as SignallingError).code).toBe('bad-request');
  });

  it('delivers valid notifications and drops malformed ones', () => {
    const seen: string[] = [];
    const stop = channel.on('peerLeft', ({ peerId }) => seen.push(peerId));
    server.notify('peerLeft', { peerId: 'a' });
    server.notify('peerLeft', {} as never);
    stop();
    server.notify('peerLeft', { peerId: 'b' });
    expect(seen).toEqual(['a']);
  });

  it('fails pending requests and tells listeners when the socket closes', async () => {
    server.answer('capabilities', () => new Promise(() => undefined));
    const closed = jasmine.createSpy('closed');
    channel.onClosed(closed);
    const pending = channel.request('capabilities', {});
    await Promise.resolve();
    server.drop();
    await expectAsync(pending).toBeRejectedWith(jasmine.objectContaining({ code: 'closed' }));
    expect(closed).toHaveBeenCalledTimes(1);
    await expectAsync(channel.request('capabilities', {})).toBeRejectedWith(jasmine.objectContaining({ code: 'closed' }));
  });
});

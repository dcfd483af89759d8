import { FakeServer, QUICK_RECONNECT } from '../testing/fake-server';
import { SignallingChannel } from '../signalling/signalling-channel';
import { DELIVERY_RETRY_MS, signallingDelivery } from './delivery';

describe('signallingDelivery', () => {
  let server: FakeServer;
  let channel: SignallingChannel;

  beforeEach(() => {
    server = new FakeServer();
    channel = new SignallingChannel(server.open, QUICK_RECONNECT);
  });

  afterEach(() => channel.close());

  it('offers a KeyPackage again once a rate limit has passed, and only then', async () => {
    let refusals = 1;
    server.answer('publishKeyPackage', () => {
      if (refusals-- > 0) throw Object.assign(new Error('too many'), { code: 'rate-limited' });
      return {};
    });
    const startedAt = Date.now();
    await signallingDelivery(channel).publishKeyPackage('kp');
    expect(server.methods()).toEqual(['publishKeyPackage', 'publishKeyPackage']);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(DELIVERY_RETRY_MS);
  });

  it('does not ask again what the server refuses for good', async () => {
    server.fail('sendGroupMessage', 'invalid-state');
    await expectAsync(signallingDelivery(channel).sendGroupMessage('sealed')).toBeRejectedWith(
      jasmine.objectContaining({ code: 'invalid-state' }),
    );
    await new Promise((resolve) => setTimeout(resolve, DELIVERY_RETRY_MS + 200));
    expect(server.methods()).toEqual(['sendGroupMessage']);
  });
});

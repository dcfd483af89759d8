import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config';
import { Admission, clientOf } from './admission';

function upgrade(headers: Record<string, string | undefined>, remoteAddress = '203.0.113.9'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('admission', () => {
  it('counts an IPv6 host by its /64 and an IPv4-mapped address as IPv4', () => {
    assert.equal(clientOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:db8:1:2::7'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:0db8:0001:0002:0:0:0:1'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientOf('::1'), '0:0:0:0::/64');
    assert.equal(clientOf('::ffff:198.51.100.4'), '198.51.100.4');
    assert.equal(clientOf('198.51.100.4'), '198.51.100.4');
  });

  it('accepts only its own origin: the Host the upgrade was sent to, or the public URL', () => {
    const admission = new Admission(loadConfig({ RAUM_PUBLIC_URL: 'https://meet.example.org' }));
    assert.equal(admission.check(upgrade({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })), undefined);
    assert.equal(admission.check(upgrade({ host: 'internal:3000', origin: 'https://meet.example.org' })), undefined);
    for (const headers of [
      { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8081' },
      { host: '127.0.0.1:8080', origin: 'https://evil.example' },
      { host: '127.0.0.1:8080', origin: 'null' },
      { host: '127.0.0.1:8080' },
    ]) {
      assert.deepEqual(admission.check(upgrade(headers)), { status: 403, reason: 'Forbidden' }, JSON.stringify(headers));
    }
  });

  it('caps sockets per client (an IPv6 /64 is one client) and per server, and frees them on close', () => {
    const admission = new Admission(loadConfig({ RAUM_MAX_SOCKETS_PER_CLIENT: '2', RAUM_MAX_SOCKETS: '3' }));
    const from = (address: string) => upgrade({ host: 'h', origin: 'http://h' }, address);
    const first = admission.opened(from('2001:db8:0:1::1'));
    admission.opened(from('2001:db8:0:1::2'));
    assert.equal(admission.check(from('2001:db8:0:1:ffff::9'))?.status, 429, 'a third socket from the same /64');
    assert.equal(admission.check(from('2001:db8:0:2::1')), undefined, 'another /64 is another client');
    admission.opened(from('2001:db8:0:2::1'));
    assert.equal(admission.check(from('198.51.100.1'))?.status, 503, 'the server is full');
    first();
    first();
    assert.equal(admission.openSockets, 2, 'closing twice counts once');
    assert.equal(admission.check(from('2001:db8:0:1::3')), undefined);
  });
});

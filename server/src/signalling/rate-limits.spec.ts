import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientRateLimits, TokenBucket } from './rate-limits';

describe('rate limits', () => {
  it('a token bucket allows a burst, then its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now = 500;
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
  });

  it('limits each client separately, keyed by a salted hash that never contains the address', () => {
    const now = 0;
    const limits = new ClientRateLimits(1, 2, 60_000, () => now);
    assert.deepEqual([limits.allow('203.0.113.7'), limits.allow('203.0.113.7'), limits.allow('203.0.113.7')], [true, true, false]);
    assert.equal(limits.allow('2001:db8::1'), true, 'another client is not affected');
    assert.equal(limits.keys.length, 2);
    for (const key of limits.keys) {
      assert.doesNotMatch(key, /203|113|2001|db8/);
      assert.match(key, /^[A-Za-z0-9_-]{22}$/);
    }
  });

  it('forgets everything, salt included, when it rotates', () => {
    let now = 0;
    const limits = new ClientRateLimits(0, 1, 60_000, () => now);
    assert.equal(limits.allow('198.51.100.1'), true);
    const before = limits.keys[0];
    assert.equal(limits.allow('198.51.100.1'), false);
    now = 60_000;
    assert.equal(limits.allow('198.51.100.1'), true, 'a fresh start after rotation');
    assert.notEqual(limits.keys[0], before, 'the same address hashes differently under the new salt');
    assert.equal(limits.keys.length, 1);
  });
});

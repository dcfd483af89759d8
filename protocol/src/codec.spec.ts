import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRequest, decodeResult, decodeServerMessage, encodeError, encodeNotification, encodeRequest } from './codec';
import { MAX_MESSAGE_BYTES } from './messages';

const roomId = 'AAAAAAAAAAAAAAAAAAAAAA';
const decode = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return decodeRequest(text, Buffer.byteLength(text));
};

describe('decodeRequest', () => {
  it('accepts a valid request and narrows its data', () => {
    const result = decode(encodeRequest(7, 'join', { roomId, displayName: '  Ada ', rtpCapabilities: { codecs: [] }, e2ee: true }));
    assert.equal(result.ok, true);
    if (!result.ok || result.value.method !== 'join') return;
    assert.equal(result.value.id, 7);
    assert.equal(result.value.data.displayName, 'Ada');
  });

  it('treats missing data as an empty object', () => {
    const result = decode({ type: 'request', id: 1, method: 'capabilities' });
    assert.deepEqual(result, { ok: true, value: { id: 1, method: 'capabilities', data: {} } });
  });

  it('rejects text that is not JSON', () => {
    assert.deepEqual(decode('{not json'), { ok: false, id: null, error: { code: 'bad-request', message: 'message is not JSON' } });
  });

  it('rejects oversized messages before parsing them', () => {
    const result = decodeRequest('x', MAX_MESSAGE_BYTES + 1);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'message-too-large');
  });

  it('answers a broken envelope with its id when the id is usable', () => {
    const result = decode({ type: 'request', id: 4, method: 'join', extra: true });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.id, 4);
      assert.equal(result.error.code, 'bad-request');
    }
  });

  it('rejects unknown methods, unknown fields and wrong shapes', () => {
    for (const message of [
      { type: 'request', id: 1, method: 'toString' },
      { type: 'request', id: 1, method: 'leave', data: { sneaky: 1 } },
      { type: 'request', id: 1, method: 'join', data: { roomId: 'short', rtpCapabilities: {} } },
      { type: 'request', id: 1, method: 'join', data: { roomId, displayName: 'x'.repeat(65), rtpCapabilities: {} } },
      { type: 'request', id: 1, method: 'createTransport', data: { direction: 'sideways' } },
      { type: 'request', id: -1, method: 'leave' },
      [1, 2, 3],
      null,
    ]) {
      const result = decode(message);
      assert.equal(result.ok, false, JSON.stringify(message));
      if (!result.ok) assert.equal(result.error.code, 'bad-request');
    }
  });

  it('does not echo the offending value in the error', () => {
    const result = decode({ type: 'request', id: 1, method: 'join', data: { roomId: 'secret-room-name!', rtpCapabilities: {} } });
    assert.equal(result.ok, false);
    if (!result.ok) assert.doesNotMatch(result.error.message, /secret-room-name/);
  });
});

describe('decodeServerMessage', () => {
  it('reads notifications it knows and validates their data', () => {
    const ok = decodeServerMessage(encodeNotification('peerLeft', { peerId: 'p1' }));
    assert.deepEqual(ok, { ok: true, value: { type: 'notification', method: 'peerLeft', data: { peerId: 'p1' } } });
    const bad = decodeServerMessage(JSON.stringify({ type: 'notification', method: 'peerLeft', data: {} }));
    assert.equal(bad.ok, false);
  });

  it('ignores notifications from a newer server', () => {
    assert.deepEqual(decodeServerMessage(JSON.stringify({ type: 'notification', method: 'future', data: {} })), { ok: true, value: null });
  });

  it('reads error responses', () => {
    const result = decodeServerMessage(encodeError(3, { code: 'room-full', message: 'full' }));
    assert.deepEqual(result, { ok: true, value: { type: 'response', id: 3, ok: false, error: { code: 'room-full', message: 'full' } } });
  });
});

describe('decodeResult', () => {
  it('checks a result against its request', () => {
    assert.equal(decodeResult('produce', { producerId: 'x' }).ok, true);
    assert.equal(decodeResult('produce', { producer: 'x' }).ok, false);
  });
});

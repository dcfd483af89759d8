import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeClientMessage,
  decodeResult,
  decodeServerMessage,
  encodeError,
  encodeNotification,
  encodePing,
  encodeRequest,
  encodeResult,
} from './codec';
import { MAX_CHAT_PAYLOAD_LENGTH, MAX_MESSAGE_BYTES } from './messages';

const roomId = 'AAAAAAAAAAAAAAAAAAAAAA';
const decode = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return decodeClientMessage(text, Buffer.byteLength(text));
};

describe('decodeClientMessage', () => {
  it('accepts a valid request and narrows its data', () => {
    const result = decode(encodeRequest(7, 'join', { roomId, displayName: '  Ada ', rtpCapabilities: { codecs: [] }, e2ee: true }));
    assert.equal(result.ok, true);
    if (!result.ok || 'ping' in result.value || result.value.method !== 'join') return;
    assert.equal(result.value.id, 7);
    assert.equal(result.value.data.displayName, 'Ada');
  });

  it('reads a ping and the sequence number it acknowledges', () => {
    assert.deepEqual(decode(encodePing(41)), { ok: true, value: { ping: true, ack: 41 } });
    for (const ping of [{ type: 'ping' }, { type: 'ping', ack: -1 }, { type: 'ping', ack: 1.5 }, { type: 'ping', ack: 1, extra: 1 }]) {
      assert.equal(decode(ping).ok, false, JSON.stringify(ping));
    }
  });

  it('treats missing data as an empty object', () => {
    const result = decode({ type: 'request', id: 1, method: 'capabilities' });
    assert.deepEqual(result, { ok: true, value: { id: 1, method: 'capabilities', data: {} } });
  });

  it('rejects text that is not JSON', () => {
    assert.deepEqual(decode('{not json'), { ok: false, id: null, error: { code: 'bad-request', message: 'message is not JSON' } });
  });

  it('rejects oversized messages before parsing them', () => {
    const result = decodeClientMessage('x', MAX_MESSAGE_BYTES + 1);
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
      { type: 'request', id: 1, method: 'resume', data: { token: 'short', lastSeq: 0, protocolVersion: 2 } },
      { type: 'request', id: 1, method: 'resume', data: { token: 'A'.repeat(43), lastSeq: -1, protocolVersion: 2 } },
      { type: 'request', id: 1, method: 'sendChat', data: { payload: 'A'.repeat(MAX_CHAT_PAYLOAD_LENGTH + 1) } },
      { type: 'request', id: 1, method: 'pauseConsumer', data: { consumerId: 'c' } },
      { type: 'pong' },
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
    const ok = decodeServerMessage(encodeNotification('peerLeft', { peerId: 'p1' }, 9));
    assert.deepEqual(ok, { ok: true, value: { type: 'notification', seq: 9, method: 'peerLeft', data: { peerId: 'p1' } } });
    const bad = decodeServerMessage(JSON.stringify({ type: 'notification', seq: 10, method: 'peerLeft', data: {} }));
    assert.equal(bad.ok, false);
    const unsequenced = decodeServerMessage(JSON.stringify({ type: 'notification', method: 'peerLeft', data: { peerId: 'p1' } }));
    assert.equal(unsequenced.ok, false);
  });

  it('ignores notifications from a newer server but keeps their place in the sequence', () => {
    assert.deepEqual(decodeServerMessage(JSON.stringify({ type: 'notification', seq: 4, method: 'future', data: {} })), {
      ok: true,
      value: { type: 'ignored', seq: 4 },
    });
  });

  it('reads responses in and outside the sequence, and pings', () => {
    const result = decodeServerMessage(encodeError(3, { code: 'room-full', message: 'full' }, 12));
    assert.deepEqual(result, {
      ok: true,
      value: { type: 'response', seq: 12, id: 3, ok: false, error: { code: 'room-full', message: 'full' } },
    });
    assert.deepEqual(decodeServerMessage(encodeResult(4, { x: 1 })), {
      ok: true,
      value: { type: 'response', seq: undefined, id: 4, ok: true, data: { x: 1 } },
    });
    assert.deepEqual(decodeServerMessage(encodePing()), { ok: true, value: { type: 'ping' } });
  });
});

describe('decodeResult', () => {
  it('checks a result against its request', () => {
    assert.equal(decodeResult('produce', { producerId: 'x' }).ok, true);
    assert.equal(decodeResult('produce', { producer: 'x' }).ok, false);
  });
});

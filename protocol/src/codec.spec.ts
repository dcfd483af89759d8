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
import { MAX_MESSAGE_BYTES, MAX_MLS_PAYLOAD_LENGTH, MAX_PAYLOAD_LENGTH } from './messages';

const roomId = 'AAAAAAAAAAAAAAAAAAAAAA';
const decode = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return decodeClientMessage(text, Buffer.byteLength(text));
};

describe('decodeClientMessage', () => {
  it('accepts a valid request and narrows its data', () => {
    const result = decode(encodeRequest(7, 'join', { roomId, rtpCapabilities: { codecs: [] }, e2ee: true, requireE2ee: true }));
    assert.equal(result.ok, true);
    if (!result.ok || 'ping' in result.value || result.value.method !== 'join') return assert.fail('not a join');
    assert.equal(result.value.id, 7);
    assert.equal(result.value.data.roomId, roomId);
    assert.equal(result.value.data.requireE2ee, true);
    assert.equal('displayName' in result.value.data, false);
  });

  it('takes no name with a join: names travel only end-to-end encrypted', () => {
    const result = decode({
      type: 'request',
      id: 1,
      method: 'join',
      data: { roomId, displayName: 'Ada', rtpCapabilities: {}, e2ee: true },
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'bad-request');
  });

  it('accepts the MLS delivery requests up to their payload limits', () => {
    const mls = 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH);
    for (const [method, data] of [
      ['publishKeyPackage', { keyPackage: mls }],
      ['commit', { commit: mls, welcome: mls, added: ['p1'], removed: [] }],
      ['commit', { commit: 'AAE', added: [], removed: ['p2'] }],
      ['sendGroupMessage', { payload: 'A'.repeat(MAX_PAYLOAD_LENGTH) }],
    ] as const) {
      const result = decode({ type: 'request', id: 1, method, data });
      assert.equal(result.ok, true, `${method} ${JSON.stringify(data).slice(0, 80)}`);
    }
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
      { type: 'request', id: 1, method: 'join', data: { roomId, displayName: 'x'.repeat(65), rtpCapabilities: {}, e2ee: true } },
      { type: 'request', id: 1, method: 'createTransport', data: { direction: 'sideways' } },
      { type: 'request', id: -1, method: 'leave' },
      { type: 'request', id: 1, method: 'resume', data: { token: 'short', lastSeq: 0, protocolVersion: 2 } },
      { type: 'request', id: 1, method: 'resume', data: { token: 'A'.repeat(43), lastSeq: -1, protocolVersion: 2 } },
      { type: 'request', id: 1, method: 'sendChat', data: { payload: 'aGk' } },
      { type: 'request', id: 1, method: 'sendKeyMessage', data: { payload: 'aGk' } },
      { type: 'request', id: 1, method: 'sendGroupMessage', data: { payload: 'A'.repeat(MAX_PAYLOAD_LENGTH + 1) } },
      { type: 'request', id: 1, method: 'sendGroupMessage', data: { payload: 'not base64!' } },
      { type: 'request', id: 1, method: 'sendGroupMessage', data: { payload: 'aGk', to: 'p1' } },
      { type: 'request', id: 1, method: 'publishKeyPackage', data: { keyPackage: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH + 1) } },
      { type: 'request', id: 1, method: 'publishKeyPackage', data: { keyPackage: 'a+b/' } },
      { type: 'request', id: 1, method: 'commit', data: { commit: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH + 1), added: [], removed: [] } },
      {
        type: 'request',
        id: 1,
        method: 'commit',
        data: { commit: 'AAE', welcome: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH + 1), added: ['p'], removed: [] },
      },
      { type: 'request', id: 1, method: 'commit', data: { commit: 'AAE', removed: [] } },
      { type: 'request', id: 1, method: 'commit', data: { commit: 'AAE', added: [''], removed: [] } },
      {
        type: 'request',
        id: 1,
        method: 'commit',
        data: { commit: 'AAE', added: Array.from({ length: 257 }, (_, i) => `p${i}`), removed: [] },
      },
      { type: 'request', id: 1, method: 'kickPeer', data: { peerId: 'p' } },
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

  it('reads the MLS delivery notifications', () => {
    for (const [method, data] of [
      ['keyPackage', { from: 'p1', keyPackage: 'a2V5LXBhY2thZ2U' }],
      ['commit', { from: 'p1', commit: 'Y29tbWl0' }],
      ['welcome', { welcome: 'd2VsY29tZQ' }],
      ['createGroup', {}],
      ['groupMessage', { from: 'p1', payload: 'aGk' }],
    ] as const) {
      assert.deepEqual(decodeServerMessage(encodeNotification(method, data, 3)), {
        ok: true,
        value: { type: 'notification', seq: 3, method, data },
      });
    }
    for (const [method, data] of [
      ['keyPackage', { from: 'p1', keyPackage: 'A'.repeat(MAX_MLS_PAYLOAD_LENGTH + 1) }],
      ['commit', { from: 'p1', commit: 'not base64!' }],
      ['welcome', {}],
      ['groupMessage', { from: 'p1', payload: 'A'.repeat(MAX_PAYLOAD_LENGTH + 1) }],
    ] as const) {
      assert.equal(decodeServerMessage(JSON.stringify({ type: 'notification', seq: 3, method, data })).ok, false, method);
    }
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
    assert.equal(decodeResult('commit', { epoch: 1 }).ok, true);
    assert.equal(decodeResult('commit', {}).ok, false);
  });

  it('requires a join result to say whether to create the group or wait to be added', () => {
    const answer = {
      peerId: 'p1',
      peers: [],
      iceServers: [],
      iceTransportPolicy: 'all',
      resumeToken: 'A'.repeat(43),
      locked: false,
      lobby: false,
      knocks: [],
    };
    assert.equal(decodeResult('join', answer).ok, false);
    assert.equal(decodeResult('join', { ...answer, group: 'create' }).ok, true);
    assert.equal(decodeResult('join', { ...answer, group: 'join' }).ok, true);
    assert.equal(decodeResult('join', { ...answer, group: 'maybe' }).ok, false);
  });

  it('takes a join that waits in the lobby as only its knock id, and nothing half of either', () => {
    const waiting = decodeResult('join', { knockId: 'k1' });
    assert.deepEqual(waiting, { ok: true, value: { knockId: 'k1' } });
    assert.equal(decodeResult('join', { knockId: '' }).ok, false);
    assert.equal(decodeResult('join', { peerId: 'p1', group: 'create' }).ok, false);
  });
});

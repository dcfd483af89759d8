import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostRoomId, isHostKeyOf } from './host-link';

/** The same vector is checked in the browser's derivation (client/src/app/core/room-link.spec.ts). */
const KEY = 'AAECAwQFBgcICQoLDA0ODw';

describe('host links', () => {
  it('derives the room id from the host key, as the browser does', () => {
    assert.equal(hostRoomId(KEY), 'IPdBqFSkLkRvq3YsjR9ahw');
    assert.match(hostRoomId(KEY), /^[A-Za-z0-9_-]{22}$/);
  });

  it('accepts only the key the room id commits to', () => {
    const roomId = hostRoomId(KEY);
    assert.equal(isHostKeyOf(roomId, KEY), true);
    assert.equal(isHostKeyOf(roomId, 'AAECAwQFBgcICQoLDA0OEA'), false);
    assert.equal(isHostKeyOf('IPdBqFSkLkRvq3YsjR9ahx', KEY), false);
  });
});

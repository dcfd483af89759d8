import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config';
import { turnCredentials } from './turn-credentials';
import { TurnService } from './turn.service';

describe('TURN credentials', () => {
  it('follow the TURN REST API: the expiry as username, HMAC-SHA1 of it as password', () => {
    const { username, credential } = turnCredentials('s3cret', 3600, 1_700_000_000_000);
    assert.equal(username, '1700003600');
    assert.equal(credential, createHmac('sha1', 's3cret').update('1700003600').digest('base64'));
  });

  it('carry no identity: two people at the same second get the same credentials', () => {
    assert.deepEqual(turnCredentials('s', 60, 5_000), turnCredentials('s', 60, 5_999));
  });

  it('hand out only the operator’s servers, TURN with credentials, and the relay switch', () => {
    const service = new TurnService(
      loadConfig({ RAUM_TURN_URLS: 'stun:turn.example.org:3478, turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443', RAUM_TURN_SECRET: 'x', RAUM_FORCE_RELAY: 'true' }),
    );
    const [stun, turn] = service.iceServers();
    assert.deepEqual(stun, { urls: ['stun:turn.example.org:3478'] });
    assert.deepEqual(turn.urls, ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443']);
    assert.match(turn.username!, /^\d+$/);
    assert.equal(service.iceTransportPolicy, 'relay');
    assert.deepEqual(new TurnService(loadConfig({})).iceServers(), []);
  });
});

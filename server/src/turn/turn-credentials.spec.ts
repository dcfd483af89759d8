import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config';
import { turnCredentials } from './turn-credentials';
import { TurnService } from './turn.service';

describe('TURN credentials', () => {
  it('follow the TURN REST API: "<expiry>:<nonce>" as username, HMAC-SHA1 of it as password', () => {
    const { username, credential } = turnCredentials('s3cret', 3600, 1_700_000_000_000);
    assert.match(username, /^1700003600:[A-Za-z0-9_-]{12}$/);
    assert.equal(credential, createHmac('sha1', 's3cret').update(username).digest('base64'));
  });

  it('differ per browser, so coturn’s quotas count per browser: two calls at the same second get different usernames', () => {
    const [first, second] = [turnCredentials('s', 60, 5_000), turnCredentials('s', 60, 5_000)];
    assert.equal(first.username.split(':')[0], second.username.split(':')[0]);
    assert.notEqual(first.username, second.username);
    assert.notEqual(first.credential, second.credential);
  });

  it('hand out only the operator’s servers, TURN with credentials, and the relay switch', () => {
    const service = new TurnService(
      loadConfig({
        RAUM_TURN_URLS: 'stun:turn.example.org:3478, turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443',
        RAUM_TURN_SECRET: 'x',
        RAUM_FORCE_RELAY: 'true',
      }),
    );
    const [stun, turn] = service.iceServers();
    assert.deepEqual(stun, { urls: ['stun:turn.example.org:3478'] });
    assert.deepEqual(turn.urls, ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443']);
    assert.match(turn.username!, /^\d+:[A-Za-z0-9_-]+$/);
    assert.equal(turn.credential, createHmac('sha1', 'x').update(turn.username!).digest('base64'));
    assert.equal(service.iceTransportPolicy, 'relay');
    assert.deepEqual(new TurnService(loadConfig({})).iceServers(), []);
  });
});

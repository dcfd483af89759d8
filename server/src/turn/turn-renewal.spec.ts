import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MediaService } from '../media/media.service';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';

describe('TURN credentials in a long call', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RAUM_TURN_URLS: 'turn:127.0.0.1:3478', RAUM_TURN_SECRET: 's3cret', RAUM_TURN_TTL: '10' });
  });
  after(() => server.close());

  it('are renewed over signalling before they expire, for as long as the session lasts', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const joined = await client.call('join', {
      roomId: 'turn-renewal-room-000001',
      rtpCapabilities: server.app.get(MediaService).routerRtpCapabilities,
      e2ee: true,
    });
    const expiry = (servers: Array<{ username?: string }>) => Number(servers[0].username!.split(':')[0]);
    const first = expiry(joined.iceServers);
    const started = Date.now();
    const renewal = await client.notification('iceServers', () => true, 9000);
    const after = Date.now() - started;
    assert.ok(after >= 7000 && after < 8500, `renewed after ${after} ms (three quarters of 10 s)`);
    assert.ok(expiry(renewal.data.iceServers) >= first + 7, 'the new credentials last longer');
    assert.notEqual(renewal.data.iceServers[0].username, joined.iceServers[0].username);
    await client.close();
  });
});

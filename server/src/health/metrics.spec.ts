import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MediaService } from '../media/media.service';
import { TestClient } from '../testing/test-client';
import { startTestServer, type TestServer } from '../testing/test-server';
import { MetricsService } from './metrics.service';

describe('metrics for the operator', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ RAUM_METRICS_PORT: '0' })));
  after(() => server.close());

  const scrape = async (path = '/metrics') => fetch(`http://127.0.0.1:${server.app.get(MetricsService).port}${path}`);
  const value = (text: string, metric: string) => Number(new RegExp(`^${metric} (\\S+)$`, 'm').exec(text)?.[1]);

  it('counts meetings, people and streams on 127.0.0.1, and names none of them', async () => {
    const roomId = 'metrics-room-for-the-suite';
    const rtpCapabilities = server.app.get(MediaService).routerRtpCapabilities;
    const people = [await TestClient.connect(server.wsUrl), await TestClient.connect(server.wsUrl)];
    const ids: string[] = [];
    for (const client of people) ids.push((await client.call('join', { roomId, rtpCapabilities, e2ee: true })).peerId);
    await people[0].call('createTransport', { direction: 'send' });
    // The counts are taken at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const response = await scrape();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.equal(value(text, 'raum_rooms'), 1);
    assert.equal(value(text, 'raum_peers'), 2);
    assert.equal(value(text, 'raum_transports'), 1);
    assert.equal(value(text, 'raum_pipe_transports'), 0);
    assert.equal(value(text, 'raum_worker_consumers\\{worker="0"\\}'), 0);
    assert.ok(value(text, 'raum_process_resident_memory_bytes') > 0);
    assert.equal(value(text, 'raum_session_events_total\\{event="resumes"\\}'), 0);
    for (const secret of [roomId, ...ids, '127.0.0.1']) assert.ok(!text.includes(secret), `${secret} is not in the metrics`);
    assert.equal((await scrape('/health')).status, 404, 'metrics only');
    await Promise.all(people.map((client) => client.close()));
  });

  it('are not served on the public port', async () => {
    assert.ok(!(await (await fetch(`${server.httpUrl}/metrics`)).text()).includes('raum_rooms'));
  });
});

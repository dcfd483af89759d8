import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { freePort } from './free-port';
import { connectWhenUp } from './redis';

/** The suites' Redis helper must not depend on how fast redis-server starts on a loaded machine. */
describe('connectWhenUp', () => {
  const children: ChildProcess[] = [];
  after(() => children.forEach((child) => child.kill('SIGKILL')));

  it('connects to a Redis that starts listening only after the first tries were refused', async () => {
    const port = await freePort();
    let tries = 0;
    const late = setTimeout(() => {
      children.push(spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    }, 500);
    const client = await connectWhenUp(`redis://127.0.0.1:${port}`, () => ++tries > 0);
    clearTimeout(late);
    try {
      assert.ok(tries >= 3, `refused tries before Redis listened: ${tries}`);
      assert.equal(await client.ping(), 'PONG');
    } finally {
      await client.close();
    }
  });

  it('gives up with the refusal once the Redis it waits for is gone', async () => {
    const port = await freePort();
    await assert.rejects(
      connectWhenUp(`redis://127.0.0.1:${port}`, () => false),
      (error: Error & { code?: string }) => error.code === 'ECONNREFUSED',
    );
  });
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { freePort } from './free-port';

/** The shipped configuration; a test only moves it to a free port, its own password and a scratch folder. */
const SHIPPED = resolve(__dirname, '../../../deploy/redis/raum-redis.conf');

export interface TestRedis {
  readonly url: string;
  /** Every key with its value (and its time to live in ms, -1 for none), as an operator's SCAN would show them. */
  contents(): Promise<Array<{ key: string; value: string; ttlMs: number }>>;
  /** Writes a key, keeping its time to live, as another node would (a test's way to stage what happened elsewhere). */
  set(key: string, value: string): Promise<void>;
  /** Drops a key, as a restart of Redis would. */
  delete(key: string): Promise<void>;
  /** Files Redis wrote into its folder (none, with persistence off). */
  files(): string[];
  stop(): Promise<void>;
}

/** Debian's redis-server on 127.0.0.1, started with the shipped configuration and stopped by the test. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'raum-redis-'));
  const child = spawn('redis-server', [SHIPPED, '--port', String(port), '--requirepass', password, '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const url = `redis://:${password}@127.0.0.1:${port}`;
  let client: RedisClientType;
  try {
    client = await connectWhenUp(url, () => child.exitCode === null);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${output.join('')}`, { cause: error });
  }
  return {
    url,
    async contents() {
      const found: Array<{ key: string; value: string; ttlMs: number }> = [];
      for await (const keys of client.scanIterator({ COUNT: 100 })) {
        for (const key of keys) found.push({ key, value: String(await client.get(key)), ttlMs: await client.pTTL(key) });
      }
      return found;
    },
    async set(key, value) {
      await client.set(key, value, { expiration: 'KEEPTTL' });
    },
    async delete(key) {
      await client.del(key);
    },
    files: () => readdirSync(dir),
    async stop() {
      if (client.isOpen) await client.close();
      await new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A client connected to the Redis at url, once it listens. Each try is a new client that does not retry on its
 * own: a client that failed once keeps reconnecting by itself, and connecting it again only throws.
 */
export async function connectWhenUp(url: string, alive: () => boolean, timeoutMs = 10_000): Promise<RedisClientType> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client: RedisClientType = createClient({ url, socket: { reconnectStrategy: false } });
    // A refused try is answered by connect's rejection; the event would otherwise be an uncaught error.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      if (Date.now() > deadline || !alive()) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

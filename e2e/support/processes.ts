import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface RunningProcess {
  /** Everything the process printed, stdout and stderr, in order. */
  readonly output: string[];
  readonly pid: number;
  /** Its exit code (null when a signal ended it), once it exits. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function capture(child: ChildProcess): string[] {
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  return output;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

export interface RaumProcess extends RunningProcess {
  readonly url: string;
  /** Its working directory, TMPDIR and HOME: fresh and empty at start. */
  readonly dirs: readonly string[];
}

/** The built Raum server in a process of its own, as an operator runs it, with its output captured. */
export async function startRaum(host: string, port: number, env: Record<string, string>): Promise<RaumProcess> {
  const [cwd, tmp, home] = ['cwd', 'tmp', 'home'].map((name) => mkdtempSync(join(tmpdir(), `raum-server-${name}-`)));
  const child = spawn(process.execPath, [join(ROOT, 'dist/server/main.js')], {
    cwd,
    env: {
      PATH: process.env['PATH'],
      MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'],
      TMPDIR: tmp,
      HOME: home,
      RAUM_HOST: host,
      RAUM_PORT: String(port),
      RAUM_CLIENT_DIR: join(ROOT, 'dist/client/browser'),
      RAUM_WORKERS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = capture(child);
  const exited = exitOf(child);
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`Raum did not start: ${output.join('')}`)), 30_000);
    child.stdout!.on('data', () => output.join('').includes('Raum is running') && (clearTimeout(timer), ready()));
    child.once('exit', () => (clearTimeout(timer), fail(new Error(`Raum exited: ${output.join('')}`))));
  });
  return { output, pid: child.pid!, exited, url: `http://${host}:${port}`, dirs: [cwd, tmp, home], stop: stopper(child) };
}

export interface TurnOptions {
  readonly ip: string;
  readonly port: number;
  readonly secret: string;
  /** More coturn options, for what a test must provoke (e.g. short allocation lifetimes). */
  readonly extraArgs?: readonly string[];
}

/**
 * coturn with the production configuration shipped in deploy/coturn (no logs,
 * no private peers), overridden only where a test network differs: its
 * address and port, no TLS certificate, and the SFU's private address
 * allowed as a peer — as docs/OPERATING.md tells operators to.
 */
export async function startCoturn({ ip, port, secret, extraArgs = [] }: TurnOptions): Promise<RunningProcess> {
  const pidDir = mkdtempSync(join(tmpdir(), 'raum-turn-'));
  const child = spawn(
    'turnserver',
    [
      '-c',
      join(ROOT, 'deploy/coturn/turnserver.conf'),
      '--listening-ip',
      ip,
      '--relay-ip',
      ip,
      '--listening-port',
      String(port),
      '--static-auth-secret',
      secret,
      '--realm',
      'raum.test',
      '--allowed-peer-ip',
      ip,
      '--no-tls',
      '--no-dtls',
      '--pidfile',
      join(pidDir, 'turnserver.pid'),
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = capture(child);
  const exited = exitOf(child);
  for (let attempt = 0; ; attempt++) {
    const listening = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: ip, port }, () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (listening) break;
    if (attempt > 50 || child.exitCode !== null) throw new Error(`coturn did not start: ${output.join('')}`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
  return { output, pid: child.pid!, exited, stop: stopper(child) };
}

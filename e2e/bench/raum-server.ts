import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { startRaum, type RaumProcess } from '../support/processes';

/**
 * A Raum server of a benchmark's own (its own process, so that what /proc
 * says about it is about nothing else), and what it costs: counts from
 * /health, memory and CPU time from /proc.
 */

/** Tries a port on 127.0.0.1; false when something holds it. */
function bindable(port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = protocol === 'tcp' ? createServer() : createSocket('udp4');
    socket.once('error', () => resolve(false));
    const release = () => socket.close(() => resolve(true));
    if (socket instanceof Server) socket.listen(port, '127.0.0.1', release);
    else socket.bind(port, '127.0.0.1', release);
  });
}

/**
 * A port free for TCP and UDP right now (the SFU listens on both, on the
 * same number), below the kernel's ephemeral range (32768 and up), where
 * outgoing connections could take it meanwhile.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await bindable(port, 'tcp')) && (await bindable(port, 'udp'))) return port;
  }
}

export interface BenchServer extends RaumProcess {
  /** Where the server's inspector listens, if it was asked for. */
  readonly inspectorPort?: number;
}

/**
 * The built server with one media worker and health details, on free ports.
 * With `inspector`, the server's V8 inspector listens on loopback, so that
 * the bench can ask for a full garbage collection (see collectGarbage).
 */
export async function startBenchServer(env: Record<string, string> = {}, { inspector = false } = {}): Promise<BenchServer> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [port, rtcPort, inspectorPort] = ports;
  const raum = await startRaum('127.0.0.1', port, {
    RAUM_RTC_PORT: String(rtcPort),
    RAUM_HEALTH_DETAILS: 'true',
    ...(inspector ? { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}` } : {}),
    ...env,
  });
  return inspector ? { ...raum, inspectorPort } : raum;
}

/**
 * A full garbage collection in the server, through its inspector; returns
 * the JavaScript heap still in use afterwards, in bytes. Memory read after
 * it is what the server still holds, not what V8 has not collected yet.
 */
export async function collectGarbage(raum: BenchServer): Promise<number> {
  const [target] = (await (await fetch(`http://127.0.0.1:${raum.inspectorPort}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let lastId = 0;
  const call = (method: string) =>
    new Promise<any>((resolve) => {
      const id = ++lastId;
      const listener = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data));
        if (message.id !== id) return;
        socket.removeEventListener('message', listener);
        resolve(message.result);
      };
      socket.addEventListener('message', listener);
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize;
  } finally {
    socket.close();
  }
}

/** What the server holds, as /health reports it (cached there for 1 s). */
export type Counts = Record<'rooms' | 'peers' | 'sockets' | 'sessions' | 'routers' | 'transports' | 'producers' | 'consumers', number>;

export async function countsOf(raum: RaumProcess): Promise<Counts> {
  return (await fetch(`${raum.url}/health`)).json();
}

/** Resident memory of a process (VmRSS), in bytes. */
function rssOf(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib ?? 0) * 1024;
}

/** The server's children: its mediasoup workers. */
export function childrenOf(pid: number): number[] {
  const listed = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' });
  return listed
    .split('\n')
    .filter((line) => line.trim())
    .map(Number);
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** User plus system CPU time a process has used so far, in seconds. */
export function cpuOf(pid: number): number {
  // After the command name (in parentheses, and it may hold any character), utime and stime are the 12th and 13th fields.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface Usage {
  /** The Node process (signalling, rooms). */
  readonly server: number;
  /** Its mediasoup workers together. */
  readonly workers: number;
}

export function memoryOf(raum: RaumProcess): Usage {
  return { server: rssOf(raum.pid), workers: childrenOf(raum.pid).reduce((sum, pid) => sum + rssOf(pid), 0) };
}

export function cpuTimeOf(raum: RaumProcess): Usage {
  return { server: cpuOf(raum.pid), workers: childrenOf(raum.pid).reduce((sum, pid) => sum + cpuOf(pid), 0) };
}

export const mib = (bytes: number, digits = 1): string => `${(bytes / 2 ** 20).toFixed(digits)} MiB`;

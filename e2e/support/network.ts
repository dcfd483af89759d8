import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import CHROMIUM_ARGS from '../../tools/chromium-flags.cjs';

/**
 * A small test network on this machine: the server side on the host, and
 * each client in its own network namespace with its own address, so that a
 * test can tell the clients' addresses from the server's (on loopback all
 * are 127.0.0.1). Needs root and iproute2.
 *
 *   host  10.201.0.1 (server, SFU, TURN) ── veth ── namespace raum-a  10.201.0.2
 *         10.202.0.1                     ── veth ── namespace raum-b  10.202.0.2
 */
export const SERVER_IP = '10.201.0.1';

export interface Client {
  readonly namespace: string;
  readonly ip: string;
}

export const CLIENTS: readonly Client[] = [
  { namespace: 'raum-a', ip: '10.201.0.2' },
  { namespace: 'raum-b', ip: '10.202.0.2' },
];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function quietly(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // Not there: nothing to remove.
  }
}

export function createNetwork(): void {
  removeNetwork();
  CLIENTS.forEach(({ namespace, ip: address }, index) => {
    const subnet = `10.20${index + 1}.0`;
    const hostSide = `${namespace}-h`;
    ip('netns', 'add', namespace);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', `${namespace}-c`);
    ip('link', 'set', `${namespace}-c`, 'netns', namespace);
    ip('addr', 'add', `${subnet}.1/24`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', `${namespace}-c`);
    ip('-n', namespace, 'link', 'set', `${namespace}-c`, 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    ip('-n', namespace, 'route', 'add', 'default', 'via', `${subnet}.1`);
  });
}

/**
 * The client moves to another address in its network, as a phone that
 * changes networks: its old address (and every connection from it) is gone.
 */
export function moveClient(client: Client, address: string): void {
  const device = `${client.namespace}-c`;
  const gateway = client.ip.replace(/\.\d+$/, '.1');
  ip('-n', client.namespace, 'addr', 'flush', 'dev', device);
  ip('-n', client.namespace, 'addr', 'add', `${address}/24`, 'dev', device);
  ip('-n', client.namespace, 'route', 'replace', 'default', 'via', gateway);
}

export function removeNetwork(): void {
  for (const { namespace } of CLIENTS) {
    quietly('link', 'del', `${namespace}-h`);
    quietly('netns', 'del', namespace);
  }
}

/** A Chromium whose every packet leaves from the client's namespace and address. */
export function launchIn(client: Client, origin: string): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'raum-netns-'));
  const wrapper = join(dir, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${client.namespace} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  // Plain http on a non-localhost address: allow camera and microphone there as on https.
  return chromium.launch({ executablePath: wrapper, args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`] });
}

import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { PROTOCOL_VERSION } from '@raum/protocol';
import { remoteTiles, sinceLastFrame, until, type Participant, type RemoteTile } from './participants';

/** What the recovery tests and benchmarks watch: pictures coming back, sockets replaced, workers. */

/** Waits until `viewer` shows exactly these people, each decoding frames. */
export async function seesDecoding(viewer: Participant, names: string[]): Promise<RemoteTile[]> {
  await until(
    () => remoteTiles(viewer.page),
    (tiles) => tiles.length === names.length && names.every((name) => tiles.some((tile) => tile.name === name && tile.videoTrackId)),
    `${viewer.name} sees ${names.join(', ')}`,
    30_000,
  );
  await until(
    () => sinceLastFrame(viewer.page),
    (ago) => names.every((name) => ago[name] !== undefined && ago[name] < 500),
    `${viewer.name} shows fresh frames of ${names.join(', ')}`,
    30_000,
  );
  return remoteTiles(viewer.page);
}

/** Whether the page has shown "Reconnecting…" since this was called (it may show only briefly). */
export async function watchReconnecting(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    const seen = { shown: false };
    (window as unknown as { __reconnecting: typeof seen }).__reconnecting = seen;
    new MutationObserver(() => (seen.shown ||= document.querySelector('[data-reconnecting]') !== null)).observe(document.body, {
      subtree: true,
      childList: true,
    });
  });
  return () => page.evaluate(() => (window as unknown as { __reconnecting: { shown: boolean } }).__reconnecting.shown);
}

/** When each WebSocket of the page opened, and when the server first answered on it. */
export function watchSockets(page: Page): Array<{ opened: number; answered?: number }> {
  const sockets: Array<{ opened: number; answered?: number }> = [];
  page.on('websocket', (socket) => {
    const entry: { opened: number; answered?: number } = { opened: Date.now() };
    sockets.push(entry);
    socket.on('framereceived', () => (entry.answered ??= Date.now()));
  });
  return sockets;
}

/** A join spoken directly over the protocol; returns the error code, or 'ok'. */
export async function joinOverProtocol(origin: string, link: string): Promise<string> {
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { origin } } as never);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const answers = new Map<number, { ok: boolean; data?: any; error?: { code: string } }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    if (message.type === 'response') answers.set(message.id, message);
  });
  const ask = async (id: number, method: string, data: unknown) => {
    socket.send(JSON.stringify({ type: 'request', id, method, data }));
    return until(async () => answers.get(id), Boolean, `${method} answered`, 5000);
  };
  const capabilities = await ask(1, 'capabilities', { protocolVersion: PROTOCOL_VERSION });
  const roomId = link.split('/r/')[1].split('#')[0];
  const answer = await ask(2, 'join', { roomId, rtpCapabilities: capabilities!.data.routerRtpCapabilities, e2ee: true });
  socket.close();
  return answer!.ok ? 'ok' : answer!.error!.code;
}

/** The mediasoup workers of a Raum server process, oldest (lowest pid, started first) first. */
export function workerPids(serverPid: number): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(serverPid)], { encoding: 'utf8' })
    .split('\n')
    .map(Number)
    .filter(Boolean)
    .sort((a, b) => a - b);
}

import type { Page } from '@playwright/test';
import { inboundStreams, remoteTiles, until } from './participants';

/** What a page decodes of whom, and keys moved between pages: the end-to-end encryption tests' instruments. */

export async function videoTrackOf(viewer: Page, name: string, by: 'name' | 'peerId' = 'name'): Promise<string> {
  const tile = await until(
    async () => (await remoteTiles(viewer)).find((candidate) => candidate[by] === name),
    (found) => found?.videoTrackId !== undefined,
    `a video of ${name}`,
  );
  return tile!.videoTrackId!;
}

export async function decodesFrom(viewer: Page, name: string, frames = 30): Promise<void> {
  const track = await videoTrackOf(viewer, name);
  // Packets too, so a failure tells "nothing arrives" from "nothing decodes".
  await until(
    () => received(viewer, track),
    (seen) => seen.frames >= frames,
    `frames of ${name} decoded`,
  );
}

/** Frames decoded and video packets received so far on `track`. */
async function received(viewer: Page, track: string): Promise<{ frames: number; packets: number }> {
  const stream = (await inboundStreams(viewer)).find((candidate) => candidate.trackIdentifier === track);
  return { frames: stream?.framesDecoded ?? 0, packets: stream?.packetsReceived ?? 0 };
}

/** Frames decoded from `name` during `ms`, and video packets received meanwhile. */
export async function progress(viewer: Page, track: string, ms: number): Promise<{ frames: number; packets: number }> {
  const before = await received(viewer, track);
  await viewer.waitForTimeout(ms);
  const after = await received(viewer, track);
  return { frames: after.frames - before.frames, packets: after.packets - before.packets };
}

export async function peerIdOf(viewer: Page, name: string): Promise<string> {
  return (await remoteTiles(viewer)).find((tile) => tile.name === name)!.peerId;
}

/**
 * Test instrumentation only: `to`'s media worker gets every frame secret of
 * `participantId` that `from` ever held, as someone who stole them would.
 */
export async function giveKeys(from: Page, to: Page, participantId: string): Promise<void> {
  const keys = await from.evaluate((id) => window.__mediaKeys.filter((key) => key.participantId === id), participantId);
  await to.evaluate((stolen) => {
    for (const key of stolen) window.__mediaWorker!.postMessage({ type: 'key', ...key, secret: new Uint8Array(key.secret) });
  }, keys);
}

/**
 * Video frames of `participantId` that `viewer`'s E2EE worker has decrypted so far: what its keys open. (A
 * decoder's own count also moves on frames that carry no payload, which are never encrypted.)
 */
export function framesDecrypted(viewer: Page, participantId: string): Promise<number> {
  return viewer.evaluate(
    (id) =>
      new Promise<number>((resolve) => {
        const worker = window.__mediaWorker!;
        const listener = (event: MessageEvent) => {
          if (event.data?.type !== 'stats') return;
          worker.removeEventListener('message', listener);
          const mine = event.data.transforms.filter(
            (stats: { participantId: string; operation: string; kind: string }) =>
              stats.participantId === id && stats.operation === 'decrypt' && stats.kind === 'video',
          );
          resolve(mine.reduce((sum: number, stats: { frames: number }) => sum + stats.frames, 0));
        };
        worker.addEventListener('message', listener);
        worker.postMessage({ type: 'stats' });
      }),
    participantId,
  );
}

/** When `count` last went up, watched every 100 ms until it has stood still for `quietMs`. */
export async function lastIncreaseAt(count: () => Promise<number>, quietMs = 3000): Promise<number> {
  let lastAt = Date.now();
  let last = await count();
  while (Date.now() - lastAt < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await count();
    if (now > last) lastAt = Date.now();
    last = now;
  }
  return lastAt;
}

/**
 * A host removes `name` from the meeting while Eve, who receives the host's
 * frames without the link's secret, holds every frame secret the removed
 * person had for them (a control first shows they open the host's frames).
 * Resolves with the milliseconds from the click on "Remove" until they open
 * none any more: until the host sends under the epoch of the MLS Remove.
 */
export async function keysOpenAfterRemove({
  host,
  hostId,
  removed,
  name,
  eve,
}: {
  host: Page;
  hostId: string;
  removed: Page;
  name: string;
  eve: Page;
}): Promise<number> {
  const hostAtEve = await videoTrackOf(eve, hostId, 'peerId');
  await giveKeys(removed, eve, hostId);
  await until(
    () => progress(eve, hostAtEve, 1000),
    (seen) => seen.frames > 5,
    `Eve decodes the host with ${name}’s secrets`,
  );
  const removedAt = Date.now();
  await host
    .getByRole('dialog', { name: 'Participants' })
    .getByRole('button', { name: `Remove ${name}` })
    .click();
  return (await lastIncreaseAt(() => framesDecrypted(eve, hostId))) - removedAt;
}

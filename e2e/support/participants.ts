import { createHash, randomBytes } from 'node:crypto';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { baseURL } from '../playwright.config';

/** Polls until `accept` holds; on timeout the failure shows the last value read. */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, message: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${message}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A new room link as "New meeting" makes it: /r/<id>#k=<secret>. */
export function newRoomLink({ requireE2ee = false, secret = randomBytes(16).toString('base64url') } = {}): string {
  return `/r/${randomBytes(16).toString('base64url')}#k=${secret}${requireE2ee ? '&e2ee=required' : ''}`;
}

/** A hosted meeting as "New meeting" makes it: the host's link, and the guest link without the host key. */
export function newHostLinks(): { host: string; guest: string } {
  const hostKey = randomBytes(16);
  const roomId = createHash('sha256').update('raum host v1').update(hostKey).digest().subarray(0, 16).toString('base64url');
  const guest = `/r/${roomId}#k=${randomBytes(16).toString('base64url')}`;
  return { host: `${guest}&h=${hostKey.toString('base64url')}`, guest };
}

/** The same room with another secret: what someone with a wrong or forged link opens. */
export function withWrongSecret(link: string): string {
  return `${link.split('#')[0]}#k=${randomBytes(16).toString('base64url')}`;
}

/** One person in a test call: their own browser context, so their own fake devices. */
export interface Participant {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page (CSP violations included). */
  readonly errors: string[];
}

declare global {
  interface Window {
    __peerConnections: RTCPeerConnection[];
    __workers: Worker[];
    /** The E2EE media worker (the one that gets frame secrets and the room's mode). */
    __mediaWorker: Worker | undefined;
    /** Every frame secret the page handed to its E2EE media worker. */
    __mediaKeys: Array<{ participantId: string; epoch: number; leaf: number; secret: number[] }>;
    /** When each remote person's last frame was shown, and the longest wait between two (ms), by tile name. */
    __frames: { last: Record<string, number>; longest: Record<string, number> };
  }
}

/**
 * Test instrumentation only, installed before the app runs: keeps every
 * RTCPeerConnection (to read getStats() as chrome://webrtc-internals would),
 * every worker, and every frame secret the page gives its E2EE media worker
 * (to play an attacker who kept someone's keys).
 */
function instrument(): void {
  const NativeConnection = window.RTCPeerConnection;
  window.__peerConnections = [];
  window.RTCPeerConnection = class extends NativeConnection {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      window.__peerConnections.push(this);
    }
  };
  // Every frame a remote tile shows, by the person's name (tiles and tracks may be replaced meanwhile).
  window.__frames = { last: {}, longest: {} };
  const watched = new WeakSet<HTMLVideoElement>();
  setInterval(() => {
    for (const video of document.querySelectorAll<HTMLVideoElement>('[data-tile="remote"] video')) {
      if (watched.has(video)) continue;
      watched.add(video);
      const shown = (now: number) => {
        const name = video.closest('[data-tile]')?.getAttribute('aria-label') ?? '';
        const { last, longest } = window.__frames;
        if (last[name] !== undefined) longest[name] = Math.max(longest[name] ?? 0, now - last[name]);
        last[name] = now;
        if (video.isConnected) video.requestVideoFrameCallback(shown);
      };
      video.requestVideoFrameCallback(shown);
    }
  }, 100);
  const NativeWorker = window.Worker;
  window.__workers = [];
  window.__mediaKeys = [];
  window.Worker = class extends NativeWorker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      window.__workers.push(this);
    }
    override postMessage(message: any, transfer?: any): void {
      if (message?.type === 'key' || message?.type === 'mode') window.__mediaWorker = this;
      if (message?.type === 'key') {
        const { participantId, epoch, leaf, secret } = message;
        window.__mediaKeys.push({ participantId, epoch, leaf, secret: [...secret] });
      }
      super.postMessage(message, transfer);
    }
  };
}

/** Test instrumentation only: a browser without RTCRtpScriptTransform (older Chromium has only encoded streams). */
function removeScriptTransform(): void {
  delete (window as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform;
}

/** Test instrumentation only: a browser without encoded transforms at all (as older ones are). */
function removeEncodedStreams(): void {
  delete (RTCRtpSender.prototype as { createEncodedStreams?: unknown }).createEncodedStreams;
  delete (RTCRtpReceiver.prototype as { createEncodedStreams?: unknown }).createEncodedStreams;
}

/**
 * Test instrumentation only: the page counts as hidden from the start (a
 * phone in a pocket, still filming), so it is sent no video and decodes none.
 */
function countAsHidden(): void {
  Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { get: () => true });
}

export interface PageOptions {
  /** Another Raum server than the shared one (e.g. one started by the test). */
  readonly origin?: string;
  readonly locale?: string;
  /** Simulates a browser that cannot encrypt media end to end. */
  readonly withoutEncodedTransforms?: boolean;
  /** Simulates a browser that has only the older createEncodedStreams API. */
  readonly onlyEncodedStreams?: boolean;
  /** Runs before the page opens the link, to watch everything it does. */
  readonly watch?: (page: Page) => unknown;
  /** How long joining may take (a big room on two busy cores takes longer). */
  readonly joinTimeoutMs?: number;
  /** Lets a test inject scripts (axe-core) past Raum's Content-Security-Policy. */
  readonly bypassCSP?: boolean;
  /** The window's size from the start, e.g. a phone's. */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** The page counts as hidden: a sender that takes no core for decoding. */
  readonly hidden?: boolean;
}

export async function openPage(
  browser: Browser,
  path: string,
  {
    origin = baseURL,
    locale = 'en-US',
    withoutEncodedTransforms = false,
    onlyEncodedStreams = false,
    watch,
    bypassCSP,
    viewport,
    hidden = false,
  }: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: origin, locale, permissions: ['camera', 'microphone'], bypassCSP, viewport });
  await context.addInitScript(instrument);
  if (withoutEncodedTransforms || onlyEncodedStreams) await context.addInitScript(removeScriptTransform);
  if (withoutEncodedTransforms) await context.addInitScript(removeEncodedStreams);
  if (hidden) await context.addInitScript(countAsHidden);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await watch?.(page);
  await page.goto(path);
  return { context, page, errors };
}

/** Opens the room link, enters a name and joins; resolves when the call view is up. */
export async function join(browser: Browser, roomPath: string, name: string, options: PageOptions = {}): Promise<Participant> {
  const { context, page, errors } = await openPage(browser, roomPath, options);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Leave' })).toBeVisible({ timeout: options.joinTimeoutMs });
  return { name, context, page, errors };
}

export interface InboundStream {
  kind: 'audio' | 'video';
  trackIdentifier: string;
  framesDecoded: number;
  packetsReceived: number;
  totalAudioEnergy: number;
}

/** Every inbound RTP stream of the page, from getStats. */
export function inboundStreams(page: Page): Promise<InboundStream[]> {
  return page.evaluate(async () => {
    const streams: InboundStream[] = [];
    for (const connection of window.__peerConnections) {
      if (connection.connectionState === 'closed') continue;
      (await connection.getStats()).forEach((report) => {
        if (report.type !== 'inbound-rtp') return;
        streams.push({
          kind: report.kind,
          trackIdentifier: report.trackIdentifier,
          framesDecoded: report.framesDecoded ?? 0,
          packetsReceived: report.packetsReceived ?? 0,
          totalAudioEnergy: report.totalAudioEnergy ?? 0,
        });
      });
    }
    return streams;
  });
}

export interface RemoteTile {
  peerId: string;
  name: string;
  videoTrackId: string | undefined;
  audioTrackId: string | undefined;
}

/** The remote tiles on screen, with the tracks they play. */
export function remoteTiles(page: Page): Promise<RemoteTile[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-tile="remote"]')].map((tile) => {
      const peerId = tile.dataset['peerId'] ?? '';
      const video = tile.querySelector('video');
      const audio = document.querySelector<HTMLAudioElement>(`audio[data-peer-id="${peerId}"]`);
      return {
        peerId,
        name: tile.getAttribute('aria-label') ?? '',
        videoTrackId: (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id,
        audioTrackId: (audio?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.id,
      };
    }),
  );
}

/**
 * Reads a counter until it holds still for `stillMs` (what was already on its
 * way has arrived), at most `timeoutMs`; returns its value then.
 */
export async function settled(read: () => Promise<number>, stillMs = 500, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, stillMs));
    const next = await read();
    if (next === value || Date.now() > deadline) return next;
    value = next;
  }
}

/** Frames decoded so far on the inbound stream that feeds a given track. */
export async function framesDecoded(page: Page, trackId: string): Promise<number> {
  const streams = await inboundStreams(page);
  return streams.find((stream) => stream.kind === 'video' && stream.trackIdentifier === trackId)?.framesDecoded ?? 0;
}

/** Mean and spread of the luma of what a tile's <video> shows right now. */
export function tilePixels(page: Page, tileName: string): Promise<{ mean: number; spread: number; width: number }> {
  return page.evaluate((name) => {
    const tile = [...document.querySelectorAll<HTMLElement>('[data-tile="remote"]')].find(
      (element) => element.getAttribute('aria-label') === name,
    );
    const video = tile?.querySelector('video');
    if (!video || video.videoWidth === 0) return { mean: 0, spread: 0, width: 0 };
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const lumas: number[] = [];
    for (let index = 0; index < data.length; index += 4)
      lumas.push(0.2126 * data[index] + 0.7152 * data[index + 1] + 0.0722 * data[index + 2]);
    const mean = lumas.reduce((sum, value) => sum + value, 0) / lumas.length;
    const spread = Math.sqrt(lumas.reduce((sum, value) => sum + (value - mean) ** 2, 0) / lumas.length);
    return { mean, spread, width: video.videoWidth };
  }, tileName);
}

export async function health(): Promise<Record<string, number | string>> {
  return (await fetch(`${baseURL}/health`)).json();
}

/**
 * Waits until the shared server has no room left, for tests that count the server's rooms, producers or
 * peers. A person of an earlier test whose page closed without a clean close stays for a resume: up to the
 * server's wait for a silent socket (15 s) and the resume grace (30 s).
 */
export async function noRoomsLeft(): Promise<void> {
  await expect.poll(health, { message: 'no rooms left from earlier tests', timeout: 60_000 }).toMatchObject({ rooms: 0 });
}

/** The badge's words: "End-to-end encrypted", "Securing…" or "Not end-to-end encrypted". */
export function securityOf(page: Page): Promise<string> {
  return page.locator('[data-security]').innerText();
}

/** The eight symbols of the verification code in the verify panel, as emoji and name. */
export async function sasOf(page: Page): Promise<string[]> {
  await page.locator('.security__badge').click();
  await expect(page.locator('[data-sas] li')).toHaveCount(8);
  const sas = await page.locator('[data-sas] li').allInnerTexts();
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  return sas;
}

/** Starts measuring the longest wait between two frames of each remote person from now on. */
export function resetFrameGaps(page: Page): Promise<void> {
  return page.evaluate(() => {
    window.__frames.longest = {};
  });
}

/** The longest wait between two frames of each remote person since the reset (ms), the wait still running included. */
export function frameGaps(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const now = performance.now();
    const { last, longest } = window.__frames;
    return Object.fromEntries(Object.keys(last).map((name) => [name, Math.round(Math.max(longest[name] ?? 0, now - last[name]))]));
  });
}

/** How long ago each remote person's last frame was shown (ms). */
export function sinceLastFrame(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const now = performance.now();
    return Object.fromEntries(Object.entries(window.__frames.last).map(([name, at]) => [name, Math.round(now - at)]));
  });
}

export interface MediaPath {
  readonly localType: string;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** The media paths (selected ICE candidate pairs) of the page's open connections. */
export function mediaPaths(page: Page): Promise<MediaPath[]> {
  return page.evaluate(async () => {
    const paths: MediaPath[] = [];
    for (const connection of window.__peerConnections) {
      if (connection.connectionState === 'closed') continue;
      const stats = await connection.getStats();
      stats.forEach((report) => {
        if (report.type !== 'transport' || !report.selectedCandidatePairId) return;
        const pair = stats.get(report.selectedCandidatePairId);
        const local = stats.get(pair.localCandidateId);
        paths.push({
          localType: local.candidateType,
          localAddress: local.address,
          remoteAddress: stats.get(pair.remoteCandidateId).address,
          remotePort: stats.get(pair.remoteCandidateId).port,
        });
      });
    }
    return paths;
  });
}

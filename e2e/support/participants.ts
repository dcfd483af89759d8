import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { baseURL } from '../playwright.config';

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
  }
}

/**
 * Test instrumentation only: keeps every RTCPeerConnection the app makes, so
 * the test can read getStats() the way chrome://webrtc-internals would.
 */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const connections: RTCPeerConnection[] = [];
  window.__peerConnections = connections;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      connections.push(this);
    }
  };
}

export async function openPage(browser: Browser, path: string, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, locale, permissions: ['camera', 'microphone'] });
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(path);
  return { context, page, errors };
}

/** Opens the room link, enters a name and joins; resolves when the call view is up. */
export async function join(browser: Browser, roomPath: string, name: string): Promise<Participant> {
  const { context, page, errors } = await openPage(browser, roomPath);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Leave' })).toBeVisible();
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

/** Frames decoded so far on the inbound stream that feeds a given track. */
export async function framesDecoded(page: Page, trackId: string): Promise<number> {
  const streams = await inboundStreams(page);
  return streams.find((stream) => stream.kind === 'video' && stream.trackIdentifier === trackId)?.framesDecoded ?? 0;
}

/** Mean and spread of the luma of what a tile's <video> shows right now. */
export function tilePixels(page: Page, tileName: string): Promise<{ mean: number; spread: number; width: number }> {
  return page.evaluate((name) => {
    const tile = [...document.querySelectorAll<HTMLElement>('[data-tile="remote"]')].find((element) => element.getAttribute('aria-label') === name);
    const video = tile?.querySelector('video');
    if (!video || video.videoWidth === 0) return { mean: 0, spread: 0, width: 0 };
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const lumas: number[] = [];
    for (let index = 0; index < data.length; index += 4) lumas.push(0.2126 * data[index] + 0.7152 * data[index + 1] + 0.0722 * data[index + 2]);
    const mean = lumas.reduce((sum, value) => sum + value, 0) / lumas.length;
    const spread = Math.sqrt(lumas.reduce((sum, value) => sum + (value - mean) ** 2, 0) / lumas.length);
    return { mean, spread, width: video.videoWidth };
  }, tileName);
}

export async function health(): Promise<Record<string, number | string>> {
  return (await fetch(`${baseURL}/health`)).json();
}

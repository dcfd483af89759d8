import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { baseURL } from '../playwright.config';

/**
 * Firefox ESR (Debian's) driven by puppeteer-core over WebDriver BiDi, for
 * calls between Firefox and Chromium. Playwright's own Firefox is a patched
 * build it must download; this is the Firefox people run.
 */
export const FIREFOX_ESR = '/usr/bin/firefox-esr';

const PREFS = {
  // Fake camera and microphone, granted without a prompt; media may play without a click.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  // The app picks its language from the browser's.
  'intl.accept_languages': 'en-US',
  'intl.locale.requested': 'en-US',
  // Tests talk to this host only. Without these (and puppeteer's own), Firefox looks up detectportal.firefox.com,
  // ads.mozilla.org, contile.services.mozilla.com and location.services.mozilla.com (seen from a network namespace).
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.newtabpage.activity-stream.feeds.topsites': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.newtabpage.activity-stream.unifiedAds.tiles.enabled': false,
  'browser.newtabpage.activity-stream.unifiedAds.spocs.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
};

export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_ESR,
    headless: true,
    extraPrefsFirefox: PREFS,
    // Firefox ignores puppeteer's dummy remote-settings server (and asks firefox.settings.services.mozilla.com) without this.
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  });
}

export interface FirefoxParticipant {
  readonly name: string;
  readonly page: Page;
}

interface Instrumented {
  __firefoxConnections: RTCPeerConnection[];
  __firefoxErrors: string[];
}

/**
 * Test instrumentation only, run before the app: keeps every peer connection
 * (for getStats) and every uncaught error, since BiDi reports console
 * messages only sparsely.
 */
function instrument(): void {
  const page = window as unknown as Instrumented & Window;
  const Native = window.RTCPeerConnection;
  page.__firefoxConnections = [];
  page.__firefoxErrors = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      page.__firefoxConnections.push(this);
    }
  };
  window.addEventListener('error', (event) => page.__firefoxErrors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => page.__firefoxErrors.push(String(event.reason)));
}

/** Opens the room link in a new tab, enters the name and joins; resolves when the call view is up. */
export async function joinInFirefox(browser: Browser, roomPath: string, name: string, origin = baseURL): Promise<FirefoxParticipant> {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(instrument);
  await page.goto(new URL(roomPath, origin).href);
  // The field's accessible name also holds its hint, and ARIA selectors match whole names: found by its form name.
  // Element handles, not locators: Locator.fill never finishes in Firefox ESR over BiDi (puppeteer-core 25).
  await (await page.waitForSelector('input[name="displayName"]'))!.type(name);
  await (await page.waitForSelector('::-p-aria([name="Join"][role="button"])'))!.click();
  // The call view's security badge: ARIA queries over BiDi take seconds each here once the call view is up.
  await page.waitForSelector('[data-security]');
  return { name, page };
}

/**
 * Frames decoded so far of each remote video shown, people and shared screens, by the name on its tile
 * (getStats of the receiver that feeds it).
 */
export function framesDecodedByName(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const { __firefoxConnections: connections } = window as unknown as Instrumented;
    const decoded: Record<string, number> = {};
    for (const tile of document.querySelectorAll<HTMLElement>('[data-tile="remote"], [data-tile="screen"]')) {
      const track = (tile.querySelector('video')?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      const receiver = connections
        .filter((connection) => connection.connectionState !== 'closed')
        .flatMap((connection) => connection.getReceivers())
        .find((candidate) => track && candidate.track.id === track.id);
      let frames = 0;
      (await receiver?.getStats())?.forEach((report) => {
        if (report.type === 'inbound-rtp') frames += report.framesDecoded ?? 0;
      });
      decoded[tile.getAttribute('aria-label') ?? ''] = frames;
    }
    return decoded;
  });
}

/**
 * The track of every inbound video stream of the page's live connections, from getStats. mediasoup-client's
 * bandwidth probe (mid "probator") shows up once its first probe arrives; it is no one's video.
 */
export function inboundVideoInFirefox(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { __firefoxConnections: connections } = window as unknown as Instrumented;
    const tracks: string[] = [];
    for (const connection of connections) {
      if (connection.connectionState === 'closed') continue;
      (await connection.getStats()).forEach((report) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video' && report.mid !== 'probator') tracks.push(report.trackIdentifier);
      });
    }
    return tracks;
  });
}

/** The badge's words: "End-to-end encrypted", "Securing…" or "Not end-to-end encrypted". */
export function securityInFirefox(page: Page): Promise<string> {
  return page.$eval('[data-security]', (badge) => (badge as HTMLElement).innerText.trim());
}

/** The remote ICE candidates of every live connection, and those of the pairs in use (Firefox marks them selected). */
export function remoteCandidatesInFirefox(page: Page): Promise<{ all: string[]; used: string[] }> {
  return page.evaluate(async () => {
    const { __firefoxConnections: connections } = window as unknown as Instrumented;
    const all: string[] = [];
    const used: string[] = [];
    for (const connection of connections) {
      if (connection.connectionState === 'closed') continue;
      const stats = await connection.getStats();
      stats.forEach((report) => {
        if (report.type === 'remote-candidate') all.push(report.address);
        if (report.type === 'candidate-pair' && report.selected) used.push(stats.get(report.remoteCandidateId).address);
      });
    }
    return { all, used };
  });
}

/** Uncaught errors and unhandled rejections of the page so far. */
export function errorsInFirefox(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as Instrumented).__firefoxErrors);
}

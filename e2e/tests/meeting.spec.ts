import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import CHROMIUM_ARGS from '../../tools/chromium-flags.cjs';
import { fakeAudioFiles } from '../support/fake-audio';
import { framesDecoded, health, newRoomLink, noRoomsLeft, openPage, until, type Participant } from '../support/participants';

/** The words a test clicks and reads, in each language the app speaks. */
const WORDS = {
  'en-US': {
    name: 'Your name',
    join: 'Join',
    leave: 'Leave',
    people: 'Participants',
    raise: 'Raise hand',
    lower: 'Lower hand',
    raised: 'Hand raised',
    react: 'React',
    applause: 'Applause',
    share: 'Share screen',
    stop: 'Stop sharing',
    screenOf: (name: string) => `${name}’s screen`,
    guest: (number: number) => `Guest ${number}`,
    microphoneOn: 'Microphone on',
  },
  'de-DE': {
    name: 'Dein Name',
    join: 'Beitreten',
    leave: 'Verlassen',
    people: 'Teilnehmende',
    raise: 'Hand heben',
    lower: 'Hand senken',
    raised: 'Hand gehoben',
    react: 'Reagieren',
    applause: 'Applaus',
    share: 'Bildschirm teilen',
    stop: 'Freigabe beenden',
    screenOf: (name: string) => `Bildschirm von ${name}`,
    guest: (number: number) => `Gast ${number}`,
    microphoneOn: 'Mikrofon an',
  },
} as const;
type Locale = keyof typeof WORDS;

/** Joins in the given language, through the words a person of that language reads. */
async function joinIn(browser: Browser, room: string, name: string, locale: Locale): Promise<Participant & { sent: string[] }> {
  const sent: string[] = [];
  const { context, page, errors } = await openPage(browser, room, {
    locale,
    watch: (page) => page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => sent.push(String(payload)))),
  });
  const words = WORDS[locale];
  await page.getByLabel(words.name).fill(name);
  await page.getByRole('button', { name: words.join, exact: true }).click();
  // Joining waits for the E2EE workers and the MLS group: on two busy cores that can take a while.
  await expect(page.getByRole('button', { name: words.leave })).toBeVisible({ timeout: 30_000 });
  return { name, context, page, errors, sent };
}

const tile = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

/** Frames decoded on the inbound video that feeds the track of the element matching `selector`. */
async function decodedFor(page: Page, selector: string): Promise<number> {
  const trackId = await page
    .locator(selector)
    .evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? '');
  return framesDecoded(page, trackId);
}

/** A coarse 32×18 luma picture of a video element's current frame, or of a track played into a fresh element. */
function lumaGrid(page: Page, selector: string | undefined): Promise<number[]> {
  return page.evaluate(async (selector) => {
    let video: HTMLVideoElement;
    if (selector) video = document.querySelector<HTMLVideoElement>(selector)!;
    else {
      video = document.createElement('video');
      video.muted = true;
      video.srcObject = new MediaStream([(window as unknown as { __sharedTrack: MediaStreamTrack }).__sharedTrack]);
      await video.play();
      await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    }
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 18;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const grid: number[] = [];
    for (let index = 0; index < data.length; index += 4)
      grid.push(0.2126 * data[index] + 0.7152 * data[index + 1] + 0.0722 * data[index + 2]);
    return grid;
  }, selector);
}

/** The frame widths of the camera layers the page encodes now: those whose encoded frames grow over a second. */
async function layersEncoded(page: Page): Promise<number[]> {
  const sample = () =>
    page.evaluate(async () => {
      const layers: Record<string, { frames: number; width: number }> = {};
      for (const connection of window.__peerConnections) {
        if (connection.connectionState === 'closed') continue;
        (await connection.getStats()).forEach((report) => {
          if (report.type === 'outbound-rtp' && report.kind === 'video') {
            layers[report.id] = { frames: report.framesEncoded ?? 0, width: report.frameWidth ?? 0 };
          }
        });
      }
      return layers;
    });
  const before = await sample();
  await page.waitForTimeout(1000);
  const after = await sample();
  return Object.entries(after)
    .filter(([id, layer]) => layer.frames > (before[id]?.frames ?? 0))
    .map(([, layer]) => layer.width)
    .sort((a, b) => a - b);
}

const meanDifference = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + Math.abs(value - b[index]), 0) / a.length;

test.describe('everything a meeting needs', () => {
  let people: Participant[] = [];

  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  for (const locale of Object.keys(WORDS) as Locale[]) {
    const words = WORDS[locale];

    test(`${locale}: names, the participant list, a raised hand and a reaction reach the others, end-to-end encrypted`, async ({
      browser,
    }) => {
      test.setTimeout(150_000);
      const room = newRoomLink();
      const ada = await joinIn(browser, room, 'Ada', locale);
      const ben = await joinIn(browser, room, 'Ben', locale);
      const nameless = await joinIn(browser, room, '', locale);
      people.push(ada, ben, nameless);

      await expect(tile(ada.page, 'Ben')).toBeVisible();
      await expect(tile(ada.page, words.guest(2)), 'the third person Ada met, without a name').toBeVisible();
      await ada.page.getByRole('button', { name: words.people }).click();
      const list = ada.page.getByRole('dialog', { name: words.people });
      await expect(list.locator('[data-person="Ben"]')).toContainText(words.microphoneOn);
      await expect(list.locator(`[data-person="${words.guest(2)}"]`)).toBeVisible();

      await ben.page.getByRole('button', { name: words.raise }).click();
      await expect(ben.page.getByRole('button', { name: words.lower })).toBeVisible();
      await expect(tile(ada.page, 'Ben').getByRole('img', { name: words.raised })).toBeVisible();
      await expect(list.locator('[data-person="Ben"]').getByRole('img', { name: words.raised })).toBeVisible();
      await expect(tile(nameless.page, 'Ben').getByRole('img', { name: words.raised })).toBeVisible();

      await ben.page.getByRole('button', { name: words.react }).click();
      await ben.page.getByRole('button', { name: words.applause }).click();
      await expect(tile(ada.page, 'Ben').locator('[data-reaction]')).toHaveText('👏');
      await expect(tile(nameless.page, 'Ben').locator('[data-reaction]')).toHaveText('👏');
      await expect(tile(ada.page, 'Ben').locator('[data-reaction]'), 'a reaction fades').toHaveCount(0, { timeout: 8000 });

      await ben.page.getByRole('button', { name: words.lower }).click();
      await expect(tile(ada.page, 'Ben').getByRole('img', { name: words.raised })).toHaveCount(0);

      // Nothing of it went to the server readable: only MLS ciphertext.
      const plain = ben.sent.filter((frame) => /"t":"(profile|reaction)"|👏|"hand"|Ben"/.test(frame));
      expect(plain, 'Ben’s name, hand or reaction in clear on the WebSocket').toEqual([]);
    });
  }

  for (const locale of Object.keys(WORDS) as Locale[]) {
    const words = WORDS[locale];

    test(`${locale}: a shared screen reaches the others as its own stream, with its pixels, and ends cleanly`, async ({ browser }) => {
      test.setTimeout(240_000);
      // The server's producers are counted below.
      await noRoomsLeft();
      const room = newRoomLink();
      const ada = await joinIn(browser, room, 'Ada', locale);
      const ben = await joinIn(browser, room, 'Ben', locale);
      people.push(ada, ben);
      await expect(tile(ben.page, 'Ada')).toBeVisible();

      await ada.page.evaluate(() => {
        // Keep the shared track, to compare its pixels with what Ben receives.
        const native = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getDisplayMedia = async (options) => {
          const stream = await native(options);
          (window as unknown as { __sharedTrack: MediaStreamTrack }).__sharedTrack = stream.getVideoTracks()[0];
          return stream;
        };
      });
      await ada.page.getByRole('button', { name: words.share }).click();
      await expect(ada.page.getByRole('button', { name: words.stop })).toBeVisible();
      const screen = ben.page.getByRole('group', { name: words.screenOf('Ada') });
      await expect(screen).toBeVisible();
      const selector = '[data-tile="screen"] video';
      await until(
        () => decodedFor(ben.page, selector),
        (frames) => frames >= 10,
        'Ben decodes Ada’s screen',
      );
      expect(await health()).toMatchObject({ producers: 6 });

      // What Ben shows is what Ada shares, in the shared screen's own size: a picture, not a blank.
      const shared = await lumaGrid(ada.page, undefined);
      const received = await lumaGrid(ben.page, selector);
      const mean = received.reduce((sum, value) => sum + value, 0) / received.length;
      const toShared = meanDifference(received, shared);
      const toBlank = meanDifference(
        received,
        received.map(() => mean),
      );
      test.info().annotations.push({ type: 'figures', description: JSON.stringify({ toShared, toBlank }) });
      expect(toShared, 'mean luma difference to the shared screen').toBeLessThan(20);
      expect(toBlank, 'a picture, not a uniform frame').toBeGreaterThan(3);
      const size = await ben.page.locator(selector).evaluate((video: HTMLVideoElement) => [video.videoWidth, video.videoHeight]);
      const sharedSize = await ada.page.evaluate(() => {
        const { width, height } = (window as unknown as { __sharedTrack: MediaStreamTrack }).__sharedTrack.getSettings();
        return [width, height];
      });
      expect(size, 'the screen arrives in the size it was shared').toEqual(sharedSize);

      // The browser's own "stop sharing" ends it as the button does.
      await ada.page.evaluate(() =>
        (window as unknown as { __sharedTrack: MediaStreamTrack }).__sharedTrack.dispatchEvent(new Event('ended')),
      );
      await expect(screen).toHaveCount(0);
      await expect(ada.page.getByRole('button', { name: words.share })).toBeVisible();
      await expect.poll(async () => (await health())['producers']).toBe(4);
      await expect(tile(ben.page, 'Ada')).toBeVisible();
    });
  }

  test('who speaks is marked on their tile, decided in the browsers; talking while muted gets a hint', async () => {
    test.setTimeout(150_000);
    const files = fakeAudioFiles();
    const launch = (file: string) =>
      chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${file}`] });
    const [talking, quiet] = await Promise.all([launch(files.speech), launch(files.silence)]);
    try {
      const room = newRoomLink();
      const ada = await joinIn(talking, room, 'Ada', 'en-US');
      const ben = await joinIn(quiet, room, 'Ben', 'en-US');
      const cem = await joinIn(quiet, room, 'Cem', 'en-US');
      people.push(ada, ben, cem);
      for (const { page } of [ben, cem]) await expect(tile(page, 'Ada')).toHaveAttribute('data-speaking', 'true', { timeout: 20_000 });
      await expect(ada.page.locator('[data-tile="self"]')).toHaveAttribute('data-speaking', 'true');

      // The silent ones are never marked, anywhere, over a few seconds of Ada talking.
      const marked = () =>
        Promise.all([
          tile(ada.page, 'Ben').getAttribute('data-speaking'),
          tile(ada.page, 'Cem').getAttribute('data-speaking'),
          tile(ben.page, 'Cem').getAttribute('data-speaking'),
          tile(cem.page, 'Ben').getAttribute('data-speaking'),
        ]);
      for (let sample = 0; sample < 10; sample++) {
        expect(await marked(), 'the silent people, marked as speaking').toEqual([null, null, null, null]);
        await ada.page.waitForTimeout(300);
      }

      // Ada mutes and goes on talking: she is told, and nobody sees her speak.
      await ada.page.getByRole('button', { name: 'Mute' }).click();
      await expect(ada.page.getByRole('status').filter({ hasText: 'You are muted. Unmute to be heard.' })).toBeVisible();
      await expect(tile(ben.page, 'Ada')).not.toHaveAttribute('data-speaking', 'true');
      await ada.page.getByRole('button', { name: 'Unmute' }).click();
      await expect(ada.page.locator('[data-talking-muted]')).toHaveCount(0);
      await expect(tile(ben.page, 'Ada')).toHaveAttribute('data-speaking', 'true');
    } finally {
      for (const person of people) await person.context.close();
      people = [];
      await Promise.all([talking.close(), quiet.close()]);
    }
  });

  test('a small tile gets the low simulcast layer, a large one the high, and the sender encodes no more; a hidden page decodes nothing', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const room = newRoomLink();
    const ada = await joinIn(browser, room, 'Ada', 'en-US');
    const ben = await joinIn(browser, room, 'Ben', 'en-US');
    people.push(ada, ben);
    const widthAt = async () => {
      const streams = await ben.page.evaluate(async () => {
        const widths: number[] = [];
        for (const connection of window.__peerConnections) {
          (await connection.getStats()).forEach((report) => {
            if (report.type === 'inbound-rtp' && report.kind === 'video' && report.frameWidth) widths.push(report.frameWidth);
          });
        }
        return widths;
      });
      return streams[0] ?? 0;
    };

    // The tile tells how Ada's streams arrive, from this browser's own stats.
    await expect(
      tile(ben.page, 'Ada').getByRole('img', { name: /connection: \d+ % of packets lost, [1-9]\d* frames per second/ }),
    ).toBeVisible({
      timeout: 20_000,
    });

    await ben.page.setViewportSize({ width: 1920, height: 1080 });
    const large = await until(widthAt, (width) => width >= 640, 'a large tile receives the high layer', 30_000);
    const encodedLarge = await until(
      () => layersEncoded(ada.page),
      (widths) => widths.length === 3,
      'Ada encodes all three layers while Ben shows her large',
      30_000,
    );
    // Two tiles side by side in a small window: each about 330 pixels wide, still on screen.
    await ben.page.setViewportSize({ width: 700, height: 500 });
    await expect(tile(ben.page, 'Ada')).toBeInViewport();
    const small = await until(widthAt, (width) => width > 0 && width <= 320, 'a small tile receives the low layer', 30_000);
    // Nobody shows the top layer now: a few seconds later Ada's browser no longer encodes it (it keeps the two others).
    const encodedSmall = await until(
      () => layersEncoded(ada.page),
      (widths) => widths.length === 2,
      'Ada encodes only her two smaller layers once nobody shows more',
      30_000,
    );
    test.info().annotations.push({ type: 'figures', description: JSON.stringify({ large, small, encodedLarge, encodedSmall }) });
    expect(large, 'the large tile’s layer against the small one’s (frame widths)').toBeGreaterThanOrEqual(2 * small);
    expect(Math.max(...encodedSmall), 'the layers Ada still encodes are below her top one').toBeLessThan(Math.max(...encodedLarge));

    // The page goes to the background: the SFU stops sending, nothing is decoded; back, and it is.
    const setVisibility = (state: 'hidden' | 'visible') =>
      ben.page.evaluate((state) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    const decoded = () => decodedFor(ben.page, '[data-tile="remote"] video');
    await setVisibility('hidden');
    await ben.page.waitForTimeout(1500);
    const before = await decoded();
    await ben.page.waitForTimeout(3000);
    expect((await decoded()) - before, 'frames decoded in 3 s while hidden').toBe(0);
    await setVisibility('visible');
    await until(decoded, (frames) => frames > before + 10, 'decoding again once visible');
  });
});

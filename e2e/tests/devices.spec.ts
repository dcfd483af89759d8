import { expect, test, type Browser, type Page } from '@playwright/test';
import CHROMIUM_ARGS from '../../tools/chromium-flags.cjs';
import { framesDecoded, health, newRoomLink, noRoomsLeft, openPage, remoteTiles, type Participant } from '../support/participants';

/**
 * Three fake cameras instead of one. Chromium's fake_device_2 gives 16-bit
 * grey frames that WebRTC cannot encode (nothing is sent from it at all), so
 * the switch goes from fake_device_0 (green corners, a moving pac-man) to
 * fake_device_2 (corners in shades of yellow, no pac-man): the other side can
 * tell which one it sees.
 */
const THREE_CAMERAS = CHROMIUM_ARGS.map((flag) =>
  flag === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=3' : flag,
);
test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: THREE_CAMERAS } });

/** Frames come slowly while other browsers share the machine's two cores. */
const SLOW = 60_000;

/** The words a test clicks and reads, in each language the app speaks. */
const WORDS = {
  'en-US': {
    name: 'Your name',
    join: 'Join',
    leave: 'Leave',
    settings: 'Settings',
    camera: 'Camera',
    speaker: 'Speaker',
    close: 'Close',
    level: 'Microphone level',
  },
  'de-DE': {
    name: 'Dein Name',
    join: 'Beitreten',
    leave: 'Verlassen',
    settings: 'Einstellungen',
    camera: 'Kamera',
    speaker: 'Lautsprecher',
    close: 'Schließen',
    level: 'Mikrofonpegel',
  },
} as const;
type Locale = keyof typeof WORDS;

type Person = Participant & { sent: string[] };

async function openIn(browser: Browser, room: string, name: string, locale: Locale): Promise<Person> {
  const sent: string[] = [];
  const { context, page, errors } = await openPage(browser, room, {
    locale,
    watch: (page) => page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => sent.push(String(payload)))),
  });
  await page.getByLabel(WORDS[locale].name).fill(name);
  return { name, context, page, errors, sent };
}

async function joinNow({ page }: Person, locale: Locale): Promise<void> {
  await page.getByRole('button', { name: WORDS[locale].join, exact: true }).click();
  await expect(page.getByRole('button', { name: WORDS[locale].leave })).toBeVisible();
}

/** The requests of a method this person sent so far. */
const requests = (person: Person, method: string) => person.sent.filter((frame) => frame.includes(`"method":"${method}"`)).length;

/** The camera this page sends, shows itself and has open: the labels and states of those tracks. */
function ownCamera(page: Page) {
  return page.evaluate(() => {
    const self = document.querySelector<HTMLVideoElement>('[data-tile="self"] video, .prejoin__preview video');
    const shown = (self?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    const sent = window.__peerConnections
      .filter((connection) => connection.connectionState !== 'closed')
      .flatMap((connection) => connection.getSenders())
      .map((sender) => sender.track)
      .filter((track) => track?.kind === 'video');
    return { shown: shown?.label, sent: sent.map((track) => track?.label), same: sent.length === 1 && sent[0] === shown };
  });
}

/**
 * How green the corners of a remote tile's picture are now: the mean of G - R
 * over its four corner pixels. fake_device_0 has bright green corners (about
 * 200), fake_device_2 yellow to black ones (about 0). -1 while nothing shows.
 */
function greenCorners(page: Page, peerId: string): Promise<number> {
  return page.evaluate((peerId) => {
    const video = document.querySelector<HTMLVideoElement>(`[data-tile="remote"][data-peer-id="${peerId}"] video`);
    if (!video || video.videoWidth === 0) return -1;
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const corners = [
      [1, 1],
      [62, 1],
      [1, 34],
      [62, 34],
    ].map(([x, y]) => context.getImageData(x, y, 1, 1).data);
    return corners.reduce((sum, [red, green]) => sum + green - red, 0) / corners.length;
  }, peerId);
}

test.describe('choosing devices', () => {
  let people: Person[] = [];

  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  for (const locale of Object.keys(WORDS) as Locale[]) {
    const words = WORDS[locale];

    test(`${locale}: another camera in Settings reaches the others in the same call, and is remembered in this browser only`, async ({
      browser,
    }) => {
      test.setTimeout(240_000);
      await noRoomsLeft();
      const room = newRoomLink();
      const ada = await openIn(browser, room, 'Ada', locale);
      people.push(ada);

      // Before joining: the microphone's level moves with the fake microphone's beeps.
      const meter = ada.page.getByRole('meter', { name: words.level });
      await expect(meter).toBeVisible();
      await expect
        .poll(() => meter.evaluate((element: HTMLMeterElement) => element.value), { timeout: 10_000, intervals: [100] })
        .toBeGreaterThan(0.2);

      await joinNow(ada, locale);
      const ben = await openIn(browser, room, 'Ben', locale);
      people.push(ben);
      await joinNow(ben, locale);

      await expect(ben.page.getByRole('group', { name: 'Ada', exact: true })).toBeVisible();
      // The tile shows as soon as Ben is in; Ada's camera reaches it a moment later, once its stream is pushed.
      await expect
        .poll(async () => (await remoteTiles(ben.page))[0]?.videoTrackId, { message: 'Ada’s camera on her tile', timeout: SLOW })
        .toBeTruthy();
      const [before] = await remoteTiles(ben.page);
      expect(before.videoTrackId).toBeTruthy();
      await expect
        .poll(() => framesDecoded(ben.page, before.videoTrackId!), { message: 'Ben sees Ada', timeout: SLOW })
        .toBeGreaterThan(10);
      await expect
        .poll(() => greenCorners(ben.page, before.peerId), { message: 'Ben sees fake_device_0', timeout: SLOW })
        .toBeGreaterThan(100);
      expect(await ownCamera(ada.page)).toEqual({ shown: 'fake_device_0', sent: ['fake_device_0'], same: true });
      await expect.poll(health).toMatchObject({ rooms: 1, peers: 2, transports: 4, producers: 4, consumers: 4 });
      const produced = requests(ada, 'produce');
      expect(produced).toBe(2);
      await ada.page.evaluate(() => {
        const self = document.querySelector<HTMLVideoElement>('[data-tile="self"] video');
        (window as unknown as { __oldCamera: MediaStreamTrack }).__oldCamera = (self!.srcObject as MediaStream).getVideoTracks()[0];
      });

      // Ada picks the other camera in Settings.
      await ada.page.getByRole('button', { name: words.settings }).click();
      const settings = ada.page.getByRole('dialog', { name: words.settings });
      const camera = settings.getByRole('combobox', { name: words.camera, exact: true });
      await expect(camera).toHaveValue(/.+/);
      await camera.selectOption({ label: 'fake_device_2' });

      // Ada shows and sends the new camera, on the same sender, and the old one is off.
      await expect.poll(() => ownCamera(ada.page)).toEqual({ shown: 'fake_device_2', sent: ['fake_device_2'], same: true });
      expect(await ada.page.evaluate(() => (window as unknown as { __oldCamera: MediaStreamTrack }).__oldCamera.readyState)).toBe('ended');

      // Ben goes on seeing Ada on the same tile, from the same consumer, now from her other camera.
      await expect.poll(() => greenCorners(ben.page, before.peerId), { message: 'Ben sees fake_device_2', timeout: SLOW }).toBeLessThan(30);
      const switched = await framesDecoded(ben.page, before.videoTrackId!);
      await expect
        .poll(() => framesDecoded(ben.page, before.videoTrackId!), { message: 'frames keep coming', timeout: SLOW })
        .toBeGreaterThan(switched + 10);
      expect(await remoteTiles(ben.page)).toEqual([before]);

      // Nothing was produced, closed or joined again: the server counts the same, Ada sent no new request for it.
      await expect.poll(health).toMatchObject({ rooms: 1, peers: 2, transports: 4, producers: 4, consumers: 4 });
      expect(requests(ada, 'produce')).toBe(produced);
      expect(requests(ada, 'closeProducer')).toBe(0);
      expect(requests(ada, 'join')).toBe(1);

      // The speaker: every remote <audio> of Ada's plays on the output she chose.
      const speaker = settings.getByRole('combobox', { name: words.speaker, exact: true });
      await speaker.selectOption({ label: 'Fake Audio Output 1' });
      const output = await speaker.inputValue();
      await expect
        .poll(() => ada.page.evaluate(() => [...document.querySelectorAll<HTMLAudioElement>('audio')].map((audio) => audio.sinkId)))
        .toEqual([output]);
      await settings.getByRole('button', { name: words.close }).click();
      await expect(settings).toHaveCount(0);

      // Remembered in this browser as device ids, and never sent: no id, no label on the WebSocket.
      const stored = JSON.parse((await ada.page.evaluate(() => localStorage.getItem('raum.devices'))) ?? '{}');
      const ids = await ada.page.evaluate(async () =>
        Object.fromEntries((await navigator.mediaDevices.enumerateDevices()).map((device) => [device.label, device.deviceId])),
      );
      expect(stored).toEqual({ camera: ids['fake_device_2'], speaker: output });
      const leaked = ada.sent.filter(
        (frame) => frame.includes('fake_device') || frame.includes(ids['fake_device_2']) || frame.includes(output),
      );
      expect(leaked, 'device ids or labels on the WebSocket').toEqual([]);

      // The next visit starts with that camera.
      await ada.page.reload();
      await expect.poll(() => ownCamera(ada.page)).toMatchObject({ shown: 'fake_device_2' });
      expect(ada.errors).toEqual([]);
      expect(ben.errors).toEqual([]);
    });
  }
});

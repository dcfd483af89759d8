import { networkInterfaces } from 'node:os';
import { expect, test } from '@playwright/test';
import type { Browser } from 'puppeteer-core';
import {
  errorsInFirefox,
  framesDecodedByName,
  inboundVideoInFirefox,
  joinInFirefox,
  launchFirefox,
  remoteCandidatesInFirefox,
  securityInFirefox,
  type FirefoxParticipant,
} from '../support/firefox';
import { framesDecoded, join, newRoomLink, remoteTiles, securityOf, until, type Participant } from '../support/participants';

/**
 * Firefox ESR and Chromium in one call, against the shared server with its
 * default (laptop) media configuration: each decodes the other, both encrypt
 * end to end (Firefox through RTCRtpScriptTransform), names travel, and
 * Chromium's shared screen reaches Firefox. Firefox itself cannot share here:
 * its fake devices are only a camera and a microphone, and headless Firefox
 * has no screen, so getDisplayMedia answers NotFoundError.
 */

/** Every address of this host: whatever the SFU announces must be one of them. */
const OWN_ADDRESSES = Object.values(networkInterfaces()).flatMap((infos) => (infos ?? []).map((info) => info.address));

let firefox: Browser | undefined;
let chromiumSide: Participant | undefined;
let firefoxSide: FirefoxParticipant | undefined;

test.beforeAll(async () => {
  // A first start of Firefox takes 10-25 s on two idle cores, much longer on busy ones.
  test.setTimeout(90_000);
  firefox = await launchFirefox();
});
test.afterAll(async () => {
  await chromiumSide?.context.close();
  await firefox?.close();
});

/** Frames Chromium's page decoded of the person on the tile called `name`. */
async function decodedInChromium(name: string): Promise<number> {
  const tile = (await remoteTiles(chromiumSide!.page)).find((candidate) => candidate.name === name);
  return tile?.videoTrackId ? framesDecoded(chromiumSide!.page, tile.videoTrackId) : 0;
}

test('a Firefox and a Chromium participant see each other, end-to-end encrypted, and Firefox sees Chromium’s screen', async ({
  browser,
}) => {
  // Two browser engines share the machine's two cores: allow for a slow moment.
  test.setTimeout(150_000);
  const link = newRoomLink();
  chromiumSide = await join(browser, link, 'Chromium Ben');
  const started = Date.now();
  firefoxSide = await joinInFirefox(firefox!, link, 'Firefox Ada');
  const joined = Date.now();
  const inFirefox = () => framesDecodedByName(firefoxSide!.page);

  // The names crossed (end-to-end encrypted, through the MLS group), and video is decoded both ways...
  const firstInChromium = await until(
    () => decodedInChromium('Firefox Ada'),
    (frames) => frames > 10,
    'Chromium decodes Firefox',
    30_000,
  );
  const firstInFirefox = await until(inFirefox, (frames) => frames['Chromium Ben'] > 10, 'Firefox decodes Chromium', 30_000);
  const figures = { firefoxJoinMs: joined - started, bothDecodingAfterJoinMs: Date.now() - joined };
  test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
  // ...and keeps being decoded.
  await until(
    () => decodedInChromium('Firefox Ada'),
    (frames) => frames >= firstInChromium + 20,
    'Chromium keeps decoding Firefox',
  );
  await until(inFirefox, (frames) => frames['Chromium Ben'] >= firstInFirefox['Chromium Ben'] + 20, 'Firefox keeps decoding Chromium');

  await expect.poll(() => securityOf(chromiumSide!.page)).toBe('End-to-end encrypted');
  await expect.poll(() => securityInFirefox(firefoxSide!.page)).toBe('End-to-end encrypted');

  // Firefox pairs no loopback candidate: its media goes to the SFU on this host's own address (the laptop default).
  const { all, used } = await remoteCandidatesInFirefox(firefoxSide.page);
  expect(all.length).toBeGreaterThan(0);
  for (const address of all) expect(OWN_ADDRESSES, `remote candidate ${address}`).toContain(address);
  expect(used.length).toBeGreaterThan(0);
  for (const address of used) expect(address).not.toMatch(/^127\.|^::1$/);

  // Chromium shares its screen: Firefox shows it as the presentation, decodes it as a stream of its own, and drops it when it ends.
  const screen = 'Chromium Ben’s screen';
  const cameraOnly = await inboundVideoInFirefox(firefoxSide.page);
  await chromiumSide.page.getByRole('button', { name: 'Share screen' }).click();
  await expect(chromiumSide.page.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  await firefoxSide.page.waitForSelector(`[data-tile="screen"][aria-label="${screen}"]`);
  const firstScreen = await until(inFirefox, (frames) => frames[screen] > 5, 'Firefox decodes Chromium’s screen', 30_000);
  await until(inFirefox, (frames) => frames[screen] >= firstScreen[screen] + 10, 'Firefox keeps decoding Chromium’s screen');
  const withScreen = await inboundVideoInFirefox(firefoxSide.page);
  expect(withScreen, 'the screen arrives as one more video stream').toHaveLength(cameraOnly.length + 1);
  expect(withScreen).toEqual(expect.arrayContaining(cameraOnly));
  await chromiumSide.page.getByRole('button', { name: 'Stop sharing' }).click();
  await firefoxSide.page.waitForSelector('[data-tile="screen"]', { hidden: true });
  await expect.poll(() => inboundVideoInFirefox(firefoxSide!.page), 'the screen’s stream is gone').toEqual(cameraOnly);
  // Ben's camera goes on meanwhile.
  const afterScreen = await inFirefox();
  await until(inFirefox, (frames) => frames['Chromium Ben'] >= afterScreen['Chromium Ben'] + 10, 'Firefox still decodes Chromium’s camera');

  expect(await errorsInFirefox(firefoxSide.page)).toEqual([]);
  expect(chromiumSide.errors).toEqual([]);
});

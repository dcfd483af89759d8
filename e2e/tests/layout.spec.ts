import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import CHROMIUM_ARGS from '../../tools/chromium-flags.cjs';
import { inboundStreams, join, newRoomLink, until, type Participant } from '../support/participants';

const VIEWPORTS = [
  { name: 'portrait phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** Every control is on screen and nothing covers it. */
async function controlsUsable(page: Page): Promise<void> {
  for (const name of ['Mute', 'Turn camera off', 'Copy guest link', 'Leave']) {
    const button = page.getByRole('button', { name });
    await expect(button).toBeInViewport();
    await button.click({ trial: true });
  }
}

test.describe('layout on a phone and a desktop', () => {
  let people: Participant[] = [];
  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  for (const viewport of VIEWPORTS) {
    test(`a two-person call is usable on a ${viewport.name} (${viewport.width}×${viewport.height})`, async ({ browser }) => {
      const room = newRoomLink();
      people.push(await join(browser, room, 'Ada'), await join(browser, room, 'Ben'));
      const { page } = people[0];
      await page.setViewportSize(viewport);
      await expect(page.locator('[data-tile="remote"] video')).toHaveCount(1);
      await controlsUsable(page);

      const toolbar = (await page.locator('.call__toolbar').boundingBox())!;
      for (const tile of await page.locator('[data-tile]').all()) {
        const box = (await tile.boundingBox())!;
        expect(box.width, 'tiles use the width').toBeGreaterThan(viewport.width * 0.3);
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 1);
        // Tiles end above the controls (a phone may scroll the tile column, never the controls).
        if (box.y < toolbar.y) expect(box.y + box.height).toBeLessThanOrEqual(toolbar.y + 1);
      }
      const scroll = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
      }));
      expect(scroll.width, 'no sideways scrolling').toBeLessThanOrEqual(viewport.width);
      expect(scroll.height, 'the page itself does not scroll').toBeLessThanOrEqual(viewport.height);
    });
  }
});

const PHONE = { width: 390, height: 844 };

/** Remote videos decoding now at a page (frames in the last interval), and which of their tiles are on screen. */
async function decodingAndVisible(page: Page): Promise<{ decoding: number; visible: number; remote: number }> {
  const frames = async () =>
    Object.fromEntries(
      (await inboundStreams(page)).filter(({ kind }) => kind === 'video').map((stream) => [stream.trackIdentifier, stream.framesDecoded]),
    );
  const before = await frames();
  await page.waitForTimeout(3000);
  const after = await frames();
  const decoding = Object.keys(after).filter((track) => after[track] > (before[track] ?? 0)).length;
  // In one go: a tile can move between the stage and the strip (a new speaker) while it is being looked at.
  const { visible, remote } = await page.evaluate(() => {
    const tiles = [...document.querySelectorAll('[data-tile="remote"]')];
    const onScreen = tiles.filter((tile) => {
      const own = tile.getBoundingClientRect();
      const strip = tile.parentElement?.getBoundingClientRect();
      const inStrip = !!strip && own.right > strip.left && own.left < strip.right;
      return inStrip && own.width > 0 && own.top < innerHeight && own.bottom > 0 && own.left < innerWidth && own.right > 0;
    });
    return { visible: onScreen.length, remote: tiles.length };
  });
  return { decoding, visible, remote };
}

test.describe('speaker view and what a phone decodes', () => {
  let people: Participant[] = [];
  let others: Browser | undefined;
  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
    await others?.close();
  });

  test('a phone in a 6-person call shows the speaker large, decodes only the videos on screen; pinning and the grid work', async ({
    browser,
  }) => {
    test.setTimeout(360_000);
    const room = newRoomLink();
    // Ada's phone is watched. The other five film at 8 frames a second in a pocket (their pages count as hidden, so
    // they decode no video) and only Ben talks: two cores cannot encode and decode everything for six pages.
    others = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS.map((flag) => (flag === '--use-fake-device-for-media-stream' ? `${flag}=fps=8` : flag)),
    });
    for (const [index, name] of ['Ada', 'Ben', 'Cem', 'Dan', 'Eva', 'Fin'].entries()) {
      const person = await join(index === 0 ? browser : others, room, name, { joinTimeoutMs: 60_000, viewport: PHONE, hidden: index > 0 });
      if (name !== 'Ben') await person.page.getByRole('button', { name: 'Mute', exact: true }).click();
      people.push(person);
    }
    const { page } = people[0];
    await expect(page.locator('[data-tile="remote"]')).toHaveCount(5, { timeout: 60_000 });
    await expect(page.locator('.call__main[data-tile="remote"]'), 'one person large on a phone').toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Grid view' })).toBeVisible();

    await until(
      () => decodingAndVisible(page),
      ({ decoding, visible }) => decoding > 0 && decoding <= visible,
      'decodes some videos, and no more than are on screen',
      30_000,
    );
    const seen = await decodingAndVisible(page);
    test.info().annotations.push({ type: 'figures', description: JSON.stringify(seen) });
    expect(seen.visible, 'some tiles are scrolled away in the strip').toBeLessThan(seen.remote);

    // Pinning Cem puts Cem large; unpinning gives the stage back to the speaker.
    await page.getByRole('button', { name: 'Pin: Cem' }).click();
    await expect(page.locator('.call__main[data-tile="remote"]')).toHaveAttribute('aria-label', 'Cem');
    await page.getByRole('button', { name: 'Unpin: Cem' }).click();
    await expect(page.getByRole('button', { name: 'Pin: Cem' })).toBeVisible();

    // The grid: everyone at a useful size.
    await page.getByRole('button', { name: 'Grid view' }).click();
    await expect(page.locator('.call__main')).toHaveCount(0);
    for (const tile of await page.locator('[data-tile]:visible').all()) {
      expect((await tile.boundingBox())!.width, 'a grid tile at a useful size').toBeGreaterThanOrEqual(160);
    }
    await expect(page.getByRole('button', { name: 'Speaker view' })).toBeVisible();
  });

  test('a short window pages the grid rather than shrink its tiles; a tile on another page decodes nothing', async ({ browser }) => {
    const room = newRoomLink();
    for (const name of ['Ada', 'Ben', 'Cem']) people.push(await join(browser, room, name, { viewport: PHONE }));
    const { page } = people[0];
    await expect(page.locator('[data-tile="remote"]')).toHaveCount(2);
    await page.getByRole('button', { name: 'Grid view' }).click();
    await page.setViewportSize({ width: PHONE.width, height: 320 });
    await expect(page.getByRole('status').filter({ hasText: /^Page 1 of 2$/ })).toBeVisible();
    await expect(page.locator('[data-tile="self"]')).toBeVisible();
    for (const tile of await page.locator('[data-tile]:visible').all()) {
      expect((await tile.boundingBox())!.width, 'a grid tile at a useful size').toBeGreaterThanOrEqual(160);
    }
    const onPage = async () => {
      const { decoding, visible } = await decodingAndVisible(page);
      return { decoding, visible };
    };
    await expect
      .poll(onPage, { timeout: 30_000, message: 'only the remote tile on this page decodes' })
      .toEqual({ decoding: 1, visible: 1 });

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Page 2 of 2$/ })).toBeVisible();
    await expect(page.locator('[data-tile="self"]')).toBeHidden();
    await expect.poll(onPage, { timeout: 30_000, message: 'the other one decodes now, alone' }).toEqual({ decoding: 1, visible: 1 });
  });
});

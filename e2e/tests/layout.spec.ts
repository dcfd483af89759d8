import { expect, test, type Page } from '@playwright/test';
import { join, newRoomLink, type Participant } from '../support/participants';

const VIEWPORTS = [
  { name: 'portrait phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** Every control is on screen and nothing covers it. */
async function controlsUsable(page: Page): Promise<void> {
  for (const name of ['Mute', 'Turn camera off', 'Copy link', 'Leave']) {
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

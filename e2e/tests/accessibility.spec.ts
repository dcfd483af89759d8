import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { join, newHostLinks, openPage, type Participant } from '../support/participants';

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

/** Every axe rule, every impact: a violation anywhere fails, with what and where. */
async function noViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map(
    (violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  expect(found, `axe violations on ${where}`).toEqual([]);
}

test.describe('accessibility', () => {
  let people: Participant[] = [];
  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  for (const viewport of VIEWPORTS) {
    test(`axe finds nothing on the ${viewport.name}: start page, pre-join, call, and every panel`, async ({ browser }) => {
      test.setTimeout(300_000);
      const start = await openPage(browser, '/', { bypassCSP: true });
      people.push({ name: 'start', ...start });
      await start.page.setViewportSize(viewport);
      await expect(start.page.getByRole('button', { name: 'New meeting' })).toBeVisible();
      await noViolations(start.page, 'the start page');

      // Ada is the host, so her panels hold the host controls too.
      const { host, guest: room } = newHostLinks();
      const prejoin = await openPage(browser, room, { bypassCSP: true });
      people.push({ name: 'prejoin', ...prejoin });
      await prejoin.page.setViewportSize(viewport);
      await expect(prejoin.page.getByRole('button', { name: 'Join', exact: true })).toBeEnabled();
      await noViolations(prejoin.page, 'the pre-join screen');

      const ada = await join(browser, host, 'Ada', { bypassCSP: true });
      people.push(ada, await join(browser, room, 'Ben'));
      const { page } = ada;
      await page.setViewportSize(viewport);
      await expect(page.locator('[data-tile="remote"] video')).toHaveCount(1);
      await noViolations(page, 'the call');

      for (const panel of ['Participants', 'Chat', 'Settings']) {
        await page.getByRole('button', { name: panel, exact: true }).click();
        await expect(page.getByRole('dialog')).toBeVisible();
        await noViolations(page, `the ${panel} panel`);
        await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
        await expect(page.getByRole('dialog')).toHaveCount(0);
      }
      await page.locator('[data-security]').click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await noViolations(page, 'the verify panel');
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'React' }).click();
      await expect(page.getByRole('button', { name: 'Applause' })).toBeVisible();
      await noViolations(page, 'the reactions');
    });
  }
});

test('the call is keyboard operable: M and V, focus into a panel and back, Escape closes it', async ({ browser }) => {
  const ada = await join(browser, newHostLinks().guest, 'Ada');
  try {
    const { page } = ada;
    await page.keyboard.press('m');
    await expect(page.getByRole('button', { name: 'Unmute' })).toBeVisible();
    await page.keyboard.press('v');
    await expect(page.getByRole('button', { name: 'Turn camera on' })).toBeVisible();
    await page.keyboard.press('m');
    await page.keyboard.press('v');
    await expect(page.getByRole('button', { name: 'Mute' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Turn camera off' })).toBeVisible();

    const chat = page.getByRole('button', { name: 'Chat', exact: true });
    await chat.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Chat' })).toBeFocused();
    // Typing a message is not a shortcut.
    await page.getByLabel('Message').fill('mv');
    await expect(page.getByRole('button', { name: 'Mute' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(chat, 'focus back on the button that opened the panel').toBeFocused();
  } finally {
    await ada.context.close();
  }
});

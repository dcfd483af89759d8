import { expect, test } from '@playwright/test';

test('privacy policy and imprint are reachable from the start page, in German and English, without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('link', { name: 'Privacy / Datenschutz' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Datenschutzerklärung');
  await expect(page.locator('main')).toContainText('Raum schreibt keine Zugriffsprotokolle');
  // What host controls mean for participants.
  await expect(page.getByRole('heading', { name: 'Hosts' })).toBeVisible();
  await expect(page.locator('main')).toContainText('Einschalten kann ein Host Ihr Mikrofon oder Ihre Kamera nie');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Privacy policy');
  await expect(page.locator('main')).toContainText('A host can never turn your microphone or camera on');
  await page.getByRole('link', { name: 'Imprint' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Imprint');
  await context.close();
});

test('the start page links both pages in the reader’s language', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Privacy' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Privacy policy');
});

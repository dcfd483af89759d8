import { expect, test } from '@playwright/test';

test('installable: a manifest with icons, and the app shell starts offline from the service worker', async ({ page, context, request }) => {
  const manifest = await (await request.get('/manifest.webmanifest')).json();
  expect(manifest).toMatchObject({ name: 'Raum', display: 'standalone', start_url: '/' });
  const sizes = manifest.icons.map((icon: { sizes: string }) => icon.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons) expect((await request.get(`/${icon.src}`)).ok(), icon.src).toBe(true);

  await page.goto('/');
  await expect(page.getByRole('button', { name: 'New meeting' })).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The worker controls the page at once and caches the shell in the background.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const cached = (path: string) => page.evaluate(async (url) => (await caches.match(url)) !== undefined, path);
  const scripts = await page.evaluate(() => [...document.scripts].map((script) => new URL(script.src).pathname));
  for (const path of ['/index.html', ...scripts]) await expect.poll(() => cached(path), { message: `${path} cached` }).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('button', { name: 'New meeting' })).toBeVisible();
  await context.setOffline(false);
});

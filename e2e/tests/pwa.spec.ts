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
  // The worker caches the whole app shell (ngsw.json's prefetch group) in the background.
  const ngsw = await (await request.get('/ngsw.json')).json();
  const shell: string[] = ngsw.assetGroups
    .filter((group: { installMode: string }) => group.installMode === 'prefetch')
    .flatMap((group: { urls: string[] }) => group.urls);
  expect(shell).toContain('/index.html');
  for (const url of shell) {
    await expect
      .poll(() => page.evaluate(async (path) => (await caches.match(path)) !== undefined, url), { message: `${url} cached` })
      .toBe(true);
  }
  // Once more online, so the page is served by the worker's cached version.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('button', { name: 'New meeting' })).toBeVisible();
  await context.setOffline(false);
});

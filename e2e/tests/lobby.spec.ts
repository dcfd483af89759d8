import { expect, test, type Browser, type Page } from '@playwright/test';
import { decodesFrom, progress, videoTrackOf } from '../support/decoding';
import { admit, holdings, knock } from '../support/lobby';
import { join, newHostLinks, openPage, remoteTiles, sasOf, type Participant } from '../support/participants';

/**
 * Who gets in: with the lobby on, newcomers wait with their preview, with
 * nothing of the meeting, until a host lets them in; after a new link, the
 * old one no longer gets in.
 */

let people: Participant[] = [];
test.afterEach(async () => {
  for (const person of people) await person.context.close();
  people = [];
});

/** Ada with the host link and Ben with the guest link, each decoding the other. */
async function hostAndGuest(browser: Browser): Promise<{ links: ReturnType<typeof newHostLinks>; ada: Participant; ben: Participant }> {
  const links = newHostLinks();
  const ada = await join(browser, links.host, 'Ada');
  const ben = await join(browser, links.guest, 'Ben');
  people.push(ada, ben);
  await decodesFrom(ben.page, 'Ada');
  await decodesFrom(ada.page, 'Ben');
  return { links, ada, ben };
}

const participants = (page: Page) => page.getByRole('dialog', { name: 'Participants' });

async function switchLobbyOn(host: Page): Promise<void> {
  await host.getByRole('button', { name: 'Participants' }).click();
  const lobby = participants(host).getByRole('button', { name: 'Lobby' });
  await lobby.click();
  await expect(lobby).toHaveAttribute('aria-pressed', 'true');
  await host.getByRole('button', { name: 'Participants' }).click();
}

/**
 * For `ms`, the knocker holds nothing (checked every 500 ms): no media connection, no stream, and no frame
 * secret beyond those of an earlier call on the page. The others show nobody new.
 */
async function holdsNothing(knocker: Participant, others: Participant[], ms: number): Promise<void> {
  const { keys } = await holdings(knocker.page);
  for (let waited = 0; waited < ms; waited += 500) {
    expect(await holdings(knocker.page), `${knocker.name} in the lobby`).toEqual({ connections: 0, streams: 0, keys });
    for (const { page, name } of others) {
      const tiles = (await remoteTiles(page)).map((tile) => tile.name);
      expect(tiles, `${name}’s tiles`).not.toContain(knocker.name);
    }
    await knocker.page.waitForTimeout(500);
  }
}

test('a knocker waits with their preview and holds nothing; admitted, they decode; denied, they are told and hold nothing', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const { links, ada, ben } = await hostAndGuest(browser);
  await switchLobbyOn(ada.page);

  const cem = await knock(browser, links.guest, 'Cem');
  people.push(cem);
  await expect(cem.page.locator('.prejoin__preview video'), 'Cem sees their own preview').toBeVisible();
  // The host reads Cem's name, sealed by Cem with the link; a guest sees no knock.
  await expect(ada.page.locator('[data-knock="Cem"]')).toContainText('Cem is waiting to join');
  await expect(ben.page.locator('[data-knocks]')).toHaveCount(0);
  expect((await holdings(cem.page)).keys).toBe(0);
  await holdsNothing(cem, [ada, ben], 3000);

  const admittedAfter = await admit(ada.page, cem);
  await decodesFrom(cem.page, 'Ada');
  test.info().annotations.push({ type: 'figures', description: JSON.stringify({ admitToFirstFrameMs: admittedAfter }) });
  await decodesFrom(cem.page, 'Ben');
  await decodesFrom(ben.page, 'Cem');
  await expect(ada.page.locator('[data-knocks]')).toHaveCount(0);
  expect((await holdings(cem.page)).keys, 'Cem holds keys now').toBeGreaterThan(0);

  const dan = await knock(browser, links.guest, 'Dan');
  people.push(dan);
  await ada.page.getByRole('button', { name: 'Deny Dan' }).click();
  await expect(dan.page.getByRole('alert')).toContainText('The host did not let you in');
  expect(await holdings(dan.page)).toEqual({ connections: 0, streams: 0, keys: 0 });
  for (const { page } of [ada, ben, cem]) await expect(page.locator('[data-tile="remote"]')).toHaveCount(2);
  for (const person of people) expect(person.errors, `${person.name}’s console errors`).toEqual([]);
});

test('someone removed comes back only through the lobby, and only if a host admits them', async ({ browser }) => {
  test.setTimeout(120_000);
  const { ada, ben } = await hostAndGuest(browser);
  await switchLobbyOn(ada.page);

  await ada.page.getByRole('button', { name: 'Participants' }).click();
  await participants(ada.page).getByRole('button', { name: 'Remove Ben' }).click();
  await expect(ben.page.getByRole('alert')).toContainText('A host removed you');
  await expect(ada.page.locator('[data-tile="remote"]')).toHaveCount(0);

  await ben.page.getByRole('button', { name: 'Rejoin' }).click();
  await ben.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(ben.page.getByRole('status').filter({ hasText: 'Waiting for the host to let you in' })).toBeVisible();
  await expect(ada.page.locator('[data-knock="Ben"]')).toBeVisible();
  await holdsNothing(ben, [ada], 2000);
  await ada.page.getByRole('button', { name: 'Deny Ben' }).click();
  await expect(ben.page.getByRole('alert')).toContainText('The host did not let you in');
  await expect(ada.page.locator('[data-tile="remote"]')).toHaveCount(0);
});

test('a new link: the old one no longer gets in, the people in keep decoding under a new epoch, the new one gets in', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const { links, ada, ben } = await hostAndGuest(browser);
  const codeBefore = await sasOf(ada.page);

  await ada.page.getByRole('button', { name: 'Participants' }).click();
  await participants(ada.page).getByRole('button', { name: 'New link' }).click();
  await expect(ben.page.locator('[data-link-renewed]')).toContainText('A host made a new link');
  // Everyone's address bar carries the new link, so a reload gets in again.
  const guestLink = new URL(ben.page.url());
  expect(guestLink.pathname).toBe(links.guest.split('#')[0]);
  expect(guestLink.hash).not.toBe(new URL(links.guest, 'http://x').hash);
  expect(guestLink.hash).toMatch(/^#k=[^&]+&a=[^&]+$/);
  await expect.poll(() => new URL(ada.page.url()).hash).toBe(`${guestLink.hash}&h=${links.host.split('&h=')[1]}`);

  // Both are in the epoch the new link's PSK started, and their pictures go on.
  await expect.poll(async () => (await sasOf(ada.page)).join()).not.toBe(codeBefore.join());
  expect(await sasOf(ben.page)).toEqual(await sasOf(ada.page));
  for (const [viewer, name] of [
    [ben, 'Ada'],
    [ada, 'Ben'],
  ] as const) {
    const track = await videoTrackOf(viewer.page, name);
    expect((await progress(viewer.page, track, 2000)).frames, `${viewer.name} decodes ${name}`).toBeGreaterThan(10);
  }

  const oldLink = await openPage(browser, links.guest);
  people.push({ name: 'Cem', ...oldLink });
  await oldLink.page.getByLabel('Your name').fill('Cem');
  await oldLink.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(oldLink.page.getByRole('alert')).toContainText('This link no longer works');

  const dan = await join(browser, guestLink.pathname + guestLink.hash, 'Dan');
  people.push(dan);
  await decodesFrom(dan.page, 'Ada');
  await decodesFrom(dan.page, 'Ben');
  await decodesFrom(ben.page, 'Dan');
  for (const person of [ada, ben, dan]) expect(person.errors, `${person.name}’s console errors`).toEqual([]);
});

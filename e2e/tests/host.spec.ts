import { expect, test, type Page } from '@playwright/test';
import { decodesFrom, framesDecrypted, giveKeys, keysOpenAfterRemove, peerIdOf, progress, videoTrackOf } from '../support/decoding';
import {
  inboundStreams,
  join,
  newHostLinks,
  noRoomsLeft,
  openPage,
  remoteTiles,
  sasOf,
  until,
  withWrongSecret,
  type Participant,
} from '../support/participants';

/** Host links: whoever opens "New meeting" is its host, by a key in the link that the room id commits to. */

const ROOM_PATH = /^\/r\/[A-Za-z0-9_-]{22}$/;

let people: Participant[] = [];
test.afterEach(async () => {
  for (const person of people) await person.context.close();
  people = [];
});

async function copied(page: Page, button: string): Promise<string> {
  await page.getByRole('button', { name: button }).click();
  return page.evaluate(() => navigator.clipboard.readText());
}

async function peopleList(page: Page): Promise<Record<string, string>> {
  await page.getByRole('button', { name: 'Participants' }).click();
  const rows = page.getByRole('dialog', { name: 'Participants' }).locator('[data-person]');
  await expect(rows).toHaveCount(2);
  const entries: Record<string, string> = {};
  for (const row of await rows.all()) entries[(await row.getAttribute('data-person')) ?? ''] = await row.innerText();
  return entries;
}

test('"New meeting" makes its opener the host; the guest link never makes a host; a forged host link is refused', async ({ browser }) => {
  test.setTimeout(120_000);
  const opened = await openPage(browser, '/');
  const ada: Participant = { name: 'Ada', ...opened };
  people.push(ada);
  await ada.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await ada.page.getByRole('button', { name: 'New meeting' }).click();
  await ada.page.waitForURL((url) => ROOM_PATH.test(url.pathname) && /^#k=[^&]+&h=[A-Za-z0-9_-]{22}$/.test(url.hash));
  const hostLink = ada.page.url();
  await ada.page.getByLabel('Your name').fill('Ada');
  await ada.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(ada.page.getByRole('button', { name: 'Leave' })).toBeVisible();

  expect(await copied(ada.page, 'Copy host link')).toBe(hostLink);
  const guestLink = await copied(ada.page, 'Copy guest link');
  expect(guestLink).toBe(hostLink.replace(/&h=.*$/, ''));

  const guest = new URL(guestLink);
  const ben = await join(browser, guest.pathname + guest.hash, 'Ben');
  people.push(ben);
  await expect(ben.page.getByRole('button', { name: 'Copy guest link' })).toBeVisible();
  await expect(ben.page.getByRole('button', { name: 'Copy host link' })).toHaveCount(0);
  for (const [page, self] of [
    [ada.page, 'Ada (You)'],
    [ben.page, 'Ben (You)'],
  ] as const) {
    const list = await peopleList(page);
    expect(list[page === ada.page ? self : 'Ada'], 'Ada is host').toContain('Host');
    expect(list[page === ben.page ? self : 'Ben'], 'Ben is not').not.toContain('Host');
  }

  // Someone who made up a host key for this room gets a clear refusal and is not in the meeting.
  const forged = await openPage(browser, `${guest.pathname}${guest.hash}&h=${'A'.repeat(22)}`);
  people.push({ name: 'forger', ...forged });
  await forged.page.getByLabel('Your name').fill('Eve');
  await forged.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(forged.page.getByRole('alert')).toContainText('This host link does not belong to this meeting');
  await expect(ada.page.locator('[data-tile="remote"]')).toHaveCount(1);
});

/** RTP packets of `name`'s microphone that `viewer` received within two seconds. */
async function audioPacketsIn2s(viewer: Page, name: string): Promise<number> {
  const tile = (await remoteTiles(viewer)).find((candidate) => candidate.name === name);
  const packets = async () =>
    (await inboundStreams(viewer)).find((stream) => stream.trackIdentifier === tile?.audioTrackId)?.packetsReceived ?? 0;
  const before = await packets();
  await viewer.waitForTimeout(2000);
  return (await packets()) - before;
}

test('a host mutes one person or everyone (they may unmute), asks to unmute, makes a co-host, who ends the meeting for all', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const links = newHostLinks();
  const ada = await join(browser, links.host, 'Ada');
  const ben = await join(browser, links.guest, 'Ben');
  const cem = await join(browser, links.guest, 'Cem');
  people.push(ada, ben, cem);
  for (const { page } of people) await expect(page.locator('[data-tile="remote"]')).toHaveCount(2);
  await until(
    () => audioPacketsIn2s(cem.page, 'Ben'),
    (packets) => packets > 20,
    'Cem hears Ben',
  );

  const participants = (page: Page) => page.getByRole('dialog', { name: 'Participants' });
  for (const { page } of people) await page.getByRole('button', { name: 'Participants' }).click();
  // Guests have no host controls.
  await expect(participants(ben.page).getByRole('button', { name: 'Mute Cem' })).toHaveCount(0);
  await expect(participants(ben.page).getByRole('button', { name: 'Mute everyone' })).toHaveCount(0);

  // Muted by the host: the SFU stops forwarding, Ben is told, and his own button says so.
  await participants(ada.page).getByRole('button', { name: 'Mute Ben' }).click();
  await expect(ben.page.locator('[data-from-host]')).toContainText('A host muted your microphone');
  await expect(ben.page.getByRole('button', { name: 'Unmute', exact: true })).toBeVisible();
  const whileMuted = await audioPacketsIn2s(cem.page, 'Ben');
  test.info().annotations.push({ type: 'figures', description: JSON.stringify({ packetsIn2sWhileMuted: whileMuted }) });
  expect(whileMuted, 'Ben’s packets at Cem in 2 s while muted').toBeLessThanOrEqual(2);

  // The host can only ask; Ben unmutes himself.
  await participants(ada.page).getByRole('button', { name: 'Ask Ben to unmute' }).click();
  const asked = ben.page.locator('[data-from-host]');
  await expect(asked).toContainText('A host asks you to unmute');
  await asked.getByRole('button', { name: 'Unmute' }).click();
  await expect(asked).toHaveCount(0);
  await until(
    () => audioPacketsIn2s(cem.page, 'Ben'),
    (packets) => packets > 20,
    'Cem hears Ben again',
  );

  // Everyone else at once; the host's own microphone stays on.
  await participants(ada.page).getByRole('button', { name: 'Mute everyone' }).click();
  for (const { page } of [ben, cem]) await expect(page.locator('[data-from-host]')).toContainText('A host muted your microphone');
  await expect(ada.page.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  expect(await audioPacketsIn2s(ben.page, 'Cem')).toBeLessThanOrEqual(2);

  // A co-host gets the controls, and everyone sees the role.
  await participants(ada.page).getByRole('button', { name: 'Make Ben co-host' }).click();
  await expect(participants(cem.page).locator('[data-person="Ben"] [data-host]')).toBeVisible();
  await expect(participants(ben.page).getByRole('button', { name: 'Mute everyone' })).toBeVisible();

  await participants(ben.page).getByRole('button', { name: 'End meeting for all' }).click();
  await participants(ben.page).getByRole('button', { name: 'Yes, end it for everyone' }).click();
  for (const { page } of [ada, cem]) await expect(page.getByRole('alert')).toContainText('A host ended the meeting for everyone');
  await expect(ben.page.getByRole('button', { name: 'Rejoin' })).toBeVisible();
  await noRoomsLeft();
});

test('a locked meeting keeps newcomers out; a removed person is told, stays out, and their keys stop decoding', async ({ browser }) => {
  test.setTimeout(240_000);
  const links = newHostLinks();
  const ada = await join(browser, links.host, 'Ada');
  const ben = await join(browser, links.guest, 'Ben');
  const cem = await join(browser, links.guest, 'Cem');
  // Eve has the room id but not the secret: she receives the frames, and will be given Ben's keys.
  const eve = await join(browser, withWrongSecret(links.guest), 'Eve');
  people.push(ada, ben, cem, eve);
  for (const { page } of [ada, ben, cem]) await expect(page.locator('[data-tile="remote"]')).toHaveCount(3);
  await decodesFrom(ben.page, 'Ada');
  const adaId = await peerIdOf(ben.page, 'Ada');
  const adaAtEve = await videoTrackOf(eve.page, adaId, 'peerId');
  const code = await sasOf(ada.page);

  const participants = (page: Page) => page.getByRole('dialog', { name: 'Participants' });
  await ada.page.getByRole('button', { name: 'Participants' }).click();
  await participants(ada.page).getByRole('button', { name: 'Lock meeting' }).click();
  await expect(participants(ada.page).getByRole('button', { name: 'Lock meeting' })).toHaveAttribute('aria-pressed', 'true');
  await cem.page.getByRole('button', { name: 'Participants' }).click();
  await expect(participants(cem.page).locator('[data-locked]')).toContainText('The meeting is locked');
  const dan = await openPage(browser, links.guest);
  people.push({ name: 'Dan', ...dan });
  await dan.page.getByLabel('Your name').fill('Dan');
  await dan.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(dan.page.getByRole('alert')).toContainText('This meeting is locked');

  // Ben is removed while Eve holds his frame secrets: they stop opening Ada's frames.
  const removeToKeysStopMs = await keysOpenAfterRemove({ host: ada.page, hostId: adaId, removed: ben.page, name: 'Ben', eve: eve.page });
  test.info().annotations.push({ type: 'figures', description: JSON.stringify({ removeToKeysStopMs }) });
  await expect(ben.page.getByRole('alert')).toContainText('A host removed you from the meeting');
  await expect(ada.page.locator('[data-tile="remote"][aria-label="Ben"]')).toHaveCount(0);
  await expect.poll(() => sasOf(ada.page), { message: 'a new epoch after the Remove' }).not.toEqual(code);
  // Everything Ben ever held opens nothing Ada sends now, though it still reaches Eve.
  await giveKeys(ben.page, eve.page, adaId);
  const decrypted = () => framesDecrypted(eve.page, adaId);
  const before = await decrypted();
  const afterRemove = await progress(eve.page, adaAtEve, 3000);
  expect(afterRemove.packets, 'Ada still sends to Eve').toBeGreaterThan(20);
  expect((await decrypted()) - before, 'frames the removed person’s secrets open').toBeLessThanOrEqual(1);
  await decodesFrom(cem.page, 'Ada', 30);

  // Ben cannot come back while it is locked; once unlocked, Dan gets in.
  await ben.page.getByRole('button', { name: 'Rejoin' }).click();
  await ben.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(ben.page.getByRole('alert')).toContainText('This meeting is locked');
  await expect(cem.page.locator('[data-tile="remote"][aria-label="Ben"]')).toHaveCount(0);
  // The verification code was read meanwhile, in its own panel.
  await ada.page.getByRole('button', { name: 'Participants' }).click();
  await participants(ada.page).getByRole('button', { name: 'Lock meeting' }).click();
  await expect(participants(cem.page).locator('[data-locked]')).toHaveCount(0);
  await dan.page.getByRole('button', { name: 'Rejoin' }).click();
  await dan.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(ada.page.locator('[data-tile="remote"][aria-label="Dan"]')).toBeVisible();
});

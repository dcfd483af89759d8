import { expect, test, type Page } from '@playwright/test';
import { join, openPage, type Participant } from '../support/participants';

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

import { expect, type Browser, type Page } from '@playwright/test';
import { firstRemoteFrame, watchFirstRemoteFrame } from './first-frame';
import { inboundStreams, openPage, type Participant } from './participants';

/** The lobby's instruments: someone knocking, what they hold meanwhile, and how long "Admit" takes. */

/** Opens the link, enters a name and asks to join; resolves once the page says they wait for the host. */
export async function knock(browser: Browser, roomPath: string, name: string): Promise<Participant> {
  const { context, page, errors } = await openPage(browser, roomPath, { watch: (opened) => opened.addInitScript(watchFirstRemoteFrame) });
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for the host to let you in' })).toBeVisible();
  return { name, context, page, errors };
}

/** What a page holds of the meeting: media connections, streams received, and frame secrets its E2EE worker got. */
export async function holdings(page: Page): Promise<{ connections: number; streams: number; keys: number }> {
  const { connections, keys } = await page.evaluate(() => ({
    connections: window.__peerConnections.filter((connection) => connection.connectionState !== 'closed').length,
    keys: window.__mediaKeys.length,
  }));
  return { connections, streams: (await inboundStreams(page)).length, keys };
}

/** A host admits someone who knocked from the call view; resolves with the ms from the click to the first remote frame they present. */
export async function admit(host: Page, knocker: Participant): Promise<number> {
  const clicked = Date.now();
  await host.getByRole('button', { name: `Admit ${knocker.name}` }).click();
  return (await firstRemoteFrame(knocker.page)) - clicked;
}

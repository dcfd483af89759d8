import { expect, test, type Page } from '@playwright/test';
import { isolatedServer } from '../support/isolated';
import { CLIENTS, moveClient } from '../support/network';
import { join, mediaPaths, newRoomLink, remoteTiles, sinceLastFrame, until, type Participant } from '../support/participants';

/**
 * A phone changes networks mid-call: its address changes, its signalling
 * connection dies silently and its media path breaks. Both come back by
 * themselves (a resumed session, an ICE restart) and the others see no one
 * leave or join. Each client has its own network namespace; moving one is
 * changing its address there.
 */

const NEW_ADDRESS = '10.201.0.3';

/** The local address of every media path the page uses now. */
async function localAddresses(page: Page): Promise<string[]> {
  return (await mediaPaths(page)).map((path) => path.localAddress);
}

/** Waits until the viewer shows fresh frames of `name`. */
function decodes(viewer: Page, name: string, timeoutMs = 30_000) {
  return until(
    () => sinceLastFrame(viewer),
    (ago) => ago[name] !== undefined && ago[name] < 500,
    `frames of ${name}`,
    timeoutMs,
  );
}

test.describe.serial('a participant whose network changes', () => {
  const setup = isolatedServer({ port: 19480, rtcPort: 19500, turnPort: 19678, turnSecret: 'network-change-turn-secret' });
  let people: Participant[] = [];
  test.afterAll(async () => {
    for (const person of people) await person.context.close();
  });

  test('moves to a new address: media comes back without a click, and nobody sees a leave or a join', async () => {
    test.setTimeout(180_000);
    const {
      origin,
      browsers: [inA, inB],
    } = setup();
    const link = newRoomLink();
    const ada = await join(inA, link, 'Ada', { origin });
    const ben = await join(inB, link, 'Ben', { origin });
    people = [ada, ben];
    await decodes(ben.page, 'Ada');
    await decodes(ada.page, 'Ben');
    expect(await localAddresses(ada.page)).toEqual([CLIENTS[0].ip, CLIENTS[0].ip]);
    const adaAtBen = (await remoteTiles(ben.page))[0].peerId;
    // Ben's page notes if Ada's tile ever goes away.
    await ben.page.evaluate(() => {
      const seen = { gone: false };
      (window as unknown as { __tileGone: typeof seen }).__tileGone = seen;
      new MutationObserver(() => (seen.gone ||= document.querySelectorAll('[data-tile="remote"]').length !== 1)).observe(document.body, {
        subtree: true,
        childList: true,
      });
    });

    moveClient(CLIENTS[0], NEW_ADDRESS);
    const moved = Date.now();
    await until(
      () => localAddresses(ada.page),
      (addresses) => addresses.length === 2 && addresses.every((address) => address === NEW_ADDRESS),
      'Ada’s media paths use her new address',
      60_000,
    );
    await decodes(ben.page, 'Ada', 60_000);
    await decodes(ada.page, 'Ben', 60_000);
    const backAfter = Date.now() - moved;
    test.info().annotations.push({ type: 'figures', description: JSON.stringify({ mediaBackAfterMs: backAfter }) });

    expect((await remoteTiles(ben.page))[0].peerId, 'Ada is the same participant for Ben').toBe(adaAtBen);
    expect(
      await ben.page.evaluate(() => (window as unknown as { __tileGone: { gone: boolean } }).__tileGone.gone),
      'Ada’s tile never went away',
    ).toBe(false);
    await expect(ada.page.locator('[data-reconnecting]')).toHaveCount(0);
  });
});

import { expect, test, type Page } from '@playwright/test';
import { decodesFrom, framesDecrypted, giveKeys, peerIdOf, progress, videoTrackOf } from '../support/decoding';
import {
  health,
  noRoomsLeft,
  join,
  newRoomLink,
  openPage,
  remoteTiles,
  sasOf,
  securityOf,
  until,
  withWrongSecret,
  type Participant,
} from '../support/participants';

const E2EE = 'End-to-end encrypted';
const NOT_E2EE = 'Not end-to-end encrypted';

async function chatLines(page: Page): Promise<string[]> {
  return page.locator('.chat__text').allInnerTexts();
}

async function openChat(page: Page): Promise<void> {
  if ((await page.locator('.panel--chat').count()) === 0) await page.getByRole('button', { name: /^Chat/ }).click();
}

async function say(page: Page, text: string): Promise<void> {
  await openChat(page);
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

test.describe('end-to-end encryption', () => {
  let people: Participant[] = [];
  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  test('members decode each other; a wrong link decodes nothing and reads no chat; a leaver’s keys stop working', async ({ browser }) => {
    // A long scripted scenario with five pages; the shared machine can be slow.
    test.setTimeout(240_000);
    const link = newRoomLink();
    const secret = link.split('#k=')[1];
    // Names with a space or an umlaut: base64url never contains one by chance.
    const [adaName, benName, cemName] = ['Ada Lovelace', 'Ben Okri', 'Cem Özdemir'];
    const sent: string[] = [];
    const frames: string[] = [];
    const referers: string[] = [];
    const ada = await join(browser, link, adaName, {
      watch: (page) => {
        page.on('request', (request) => {
          sent.push(request.url(), JSON.stringify(request.headers()));
          referers.push(request.headers()['referer'] ?? '');
        });
        page.on('websocket', (socket) => {
          socket.on('framesent', ({ payload }) => (sent.push(String(payload)), frames.push(String(payload))));
          socket.on('framereceived', ({ payload }) => frames.push(String(payload)));
        });
      },
    });
    const ben = await join(browser, link, benName);
    const cem = await join(browser, link, cemName);
    people.push(ada, ben, cem);

    // Names travel only inside the MLS group: every tile has its person's name.
    for (const [viewer, others] of [
      [ada, [benName, cemName]],
      [ben, [adaName, cemName]],
      [cem, [adaName, benName]],
    ] as const) {
      for (const other of others) await decodesFrom(viewer.page, other);
    }
    for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}'s badge` }).toBe(E2EE);
    const code = await sasOf(ada.page);
    expect(code.length).toBe(8);
    expect(await sasOf(ben.page)).toEqual(code);
    expect(await sasOf(cem.page)).toEqual(code);

    await say(ada.page, 'only for the room');
    for (const person of [ben, cem]) {
      await openChat(person.page);
      await expect.poll(() => chatLines(person.page)).toContain('only for the room');
    }

    // Eve has the room id but not the secret: she gets the frames and cannot decode one, and learns no name.
    const eve = await join(browser, withWrongSecret(link), 'Eve');
    people.push(eve);
    const adaId = await peerIdOf(cem.page, adaName);
    const adaTrack = await videoTrackOf(eve.page, adaId, 'peerId');
    // Over 6 s: a small tile gets the lowest layer, about 13 packets a second here.
    const withoutKeys = await until(
      () => progress(eve.page, adaTrack, 6000),
      (seen) => seen.packets > 50,
      'encrypted video reaches Eve',
    );
    expect(withoutKeys.frames, 'frames Eve decodes without the keys').toBe(0);
    // Eve sees the three as numbered guests: no name reaches her.
    expect((await remoteTiles(eve.page)).map((tile) => tile.name).sort(), 'names Eve learns').toEqual(['Guest 1', 'Guest 2', 'Guest 3']);
    // Her KeyPackage lacks the link's proof: she is never added, and shown as such (with no name: she never sent one).
    await expect(ada.page.locator('[data-tile="remote"][aria-label^="Guest "]')).toContainText('Not verified');
    expect(await securityOf(ada.page), 'someone without the secret does not weaken the room').toBe(E2EE);
    await say(ada.page, 'still secret');
    await expect.poll(() => chatLines(ben.page)).toContain('still secret');
    await openChat(eve.page);
    expect(await chatLines(eve.page)).not.toContain('still secret');
    expect(await chatLines(eve.page)).not.toContain('only for the room');

    // Control: with Cem's copy of Ada's current frame secret, Eve's worker does decode Ada.
    const stealKeys = () => giveKeys(cem.page, eve.page, adaId);
    await stealKeys();
    await until(
      () => progress(eve.page, adaTrack, 1000),
      (seen) => seen.frames > 5,
      'Eve decodes Ada with Cem’s current frame secret',
    );

    // Cem leaves: his Remove is committed; his last secrets (which Eve now holds) no longer open Ada's frames.
    await cem.page.getByRole('button', { name: 'Leave' }).click();
    await expect(ada.page.locator(`[data-tile="remote"][aria-label="${cemName}"]`)).toHaveCount(0);
    await stealKeys();
    await expect.poll(() => sasOf(ada.page), { message: 'a new epoch after the Remove' }).not.toEqual(code);
    await ada.page.waitForTimeout(2000);
    // Counted where the keys are used: the decoder's own count also moves on frames without payload.
    const opened = await framesDecrypted(eve.page, adaId);
    const afterLeave = await progress(eve.page, adaTrack, 3000);
    expect(afterLeave.packets, 'Ada still sends to Eve').toBeGreaterThan(50);
    expect((await framesDecrypted(eve.page, adaId)) - opened, 'frames the leaver’s secrets open').toBeLessThanOrEqual(1);
    const benSeesAda = await progress(ben.page, await videoTrackOf(ben.page, adaName), 3000);
    expect(benSeesAda.frames, 'Ben, who stayed, decodes Ada').toBeGreaterThan(20);
    expect(await sasOf(ada.page)).toEqual(await sasOf(ben.page));

    // The secret never left Ada's browser: not in a URL, header or WebSocket frame; no name crossed the server in clear.
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.filter((item) => item.includes(secret))).toEqual([]);
    for (const name of [adaName, benName, cemName]) {
      expect(
        frames.filter((frame) => frame.includes(name)),
        `WebSocket frames with ${name}`,
      ).toEqual([]);
    }
    expect(
      referers.filter((referer) => referer !== ''),
      'Referer headers sent',
    ).toEqual([]);
  });

  test('leave and rejoin churn: every rejoin is a Remove and an Add, and everyone decodes everyone after it', async ({ browser }) => {
    test.setTimeout(180_000);
    const link = newRoomLink();
    const ada = await join(browser, link, 'Ada');
    const cem = await join(browser, link, 'Cem');
    people.push(ada, cem);
    let ben = await join(browser, link, 'Ben');
    for (let round = 0; round < 3; round++) {
      await ben.page.getByRole('button', { name: 'Leave' }).click();
      await ben.context.close();
      ben = await join(browser, link, 'Ben');
    }
    people.push(ben);
    for (const [viewer, others] of [
      [ada, ['Ben', 'Cem']],
      [ben, ['Ada', 'Cem']],
      [cem, ['Ada', 'Ben']],
    ] as const) {
      for (const other of others) await decodesFrom(viewer.page, other);
    }
    const code = await sasOf(ada.page);
    expect(await sasOf(ben.page)).toEqual(code);
    expect(await sasOf(cem.page)).toEqual(code);
    for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}'s badge` }).toBe(E2EE);
  });

  test('a browser without encoded transforms joins a normal room: hop-by-hop for everyone while it is there, visibly', async ({
    browser,
  }) => {
    const link = newRoomLink();
    const ada = await join(browser, link, 'Ada');
    const ben = await join(browser, link, 'Ben');
    people.push(ada, ben);
    await decodesFrom(ada.page, 'Ben');
    await expect.poll(() => securityOf(ada.page)).toBe(E2EE);

    const dan = await join(browser, link, 'Dan', { withoutEncodedTransforms: true });
    people.push(dan);
    for (const person of [ada, ben]) {
      await expect.poll(() => securityOf(person.page), { message: `${person.name}'s badge` }).toBe(NOT_E2EE);
      await expect(person.page.locator('.security__reason')).toContainText('Dan cannot encrypt end to end');
    }
    await expect.poll(() => securityOf(dan.page)).toBe(NOT_E2EE);
    await expect(dan.page.locator('.security__reason')).toContainText('This browser cannot encrypt video end to end');
    // Everyone sees everyone, Dan included.
    await decodesFrom(dan.page, 'Ada');
    await decodesFrom(ada.page, 'Dan');

    await dan.page.getByRole('button', { name: 'Leave' }).click();
    for (const person of [ada, ben])
      await expect.poll(() => securityOf(person.page), { message: `${person.name}'s badge after Dan left` }).toBe(E2EE);
    const benTrack = await videoTrackOf(ada.page, 'Ben');
    await until(
      () => progress(ada.page, benTrack, 1000),
      (seen) => seen.frames > 5,
      'Ada decodes Ben again, end-to-end encrypted',
    );
  });

  test('a browser with only the older encoded-streams API encrypts end to end too', async ({ browser }) => {
    const link = newRoomLink();
    const ada = await join(browser, link, 'Ada');
    const ole = await join(browser, link, 'Ole', { onlyEncodedStreams: true });
    people.push(ada, ole);
    await decodesFrom(ada.page, 'Ole');
    await decodesFrom(ole.page, 'Ada');
    for (const person of people) await expect.poll(() => securityOf(person.page), { message: `${person.name}'s badge` }).toBe(E2EE);
  });

  test('a room that requires end-to-end encryption turns such a browser away with a clear message', async ({ browser }) => {
    await noRoomsLeft();
    const link = newRoomLink({ requireE2ee: true });
    const ada = await join(browser, link, 'Ada');
    people.push(ada);
    const dan = await openPage(browser, link, { withoutEncodedTransforms: true });
    people.push({ name: 'Dan', ...dan });
    await expect(dan.page.getByRole('alert')).toContainText('admits only browsers that encrypt end to end');
    await expect(dan.page.getByRole('button', { name: 'Join', exact: true })).toHaveCount(0);
    expect(await health()).toMatchObject({ rooms: 1, peers: 1 });
    await expect.poll(() => securityOf(ada.page)).toBe(E2EE);
  });

  test('a link without its secret says it is incomplete and never connects', async ({ browser }) => {
    const link = newRoomLink().split('#')[0];
    const sockets: string[] = [];
    const { context, page } = await openPage(browser, link, {
      watch: (opening) => opening.on('websocket', (socket) => sockets.push(socket.url())),
    });
    people.push({ name: 'Nia', context, page, errors: [] });
    await expect(page.getByRole('alert')).toHaveText('This meeting link is incomplete.');
    await page.waitForTimeout(1000);
    expect(sockets).toEqual([]);
  });
});

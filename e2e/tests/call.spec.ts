import { expect, test } from '@playwright/test';
import {
  framesDecoded,
  health,
  noRoomsLeft,
  inboundStreams,
  join,
  newRoomLink,
  remoteTiles,
  settled,
  tilePixels,
  until,
  type Participant,
} from '../support/participants';

const NAMES = ['Ada', 'Ben', 'Cem'];

test.describe('a three-person call through the SFU', () => {
  let people: Participant[] = [];

  test.afterEach(async () => {
    for (const person of people) await person.context.close();
    people = [];
  });

  test('everyone sees and hears the other two; camera off and mute pause, leaving removes the tile and frees the SFU', async ({
    browser,
  }) => {
    test.setTimeout(180_000);
    await noRoomsLeft();
    const room = newRoomLink();
    for (const name of NAMES) people.push(await join(browser, room, name));
    const [ada, ben, cem] = people;

    // Each page shows the other two, each decoding video and receiving audio.
    for (const person of people) {
      const others = NAMES.filter((name) => name !== person.name).sort();
      await expect(person.page.locator('[data-tile="remote"]')).toHaveCount(2);
      const tiles = await until(
        () => remoteTiles(person.page),
        (list) => list.length === 2 && list.every((tile) => tile.videoTrackId && tile.audioTrackId),
        `${person.name} gets video and audio tracks from both others`,
      );
      expect(tiles.map((tile) => tile.name).sort()).toEqual(others);
      await until(
        () => inboundStreams(person.page),
        (streams) =>
          tiles.every((tile) => {
            const video = streams.find((stream) => stream.trackIdentifier === tile.videoTrackId);
            const audio = streams.find((stream) => stream.trackIdentifier === tile.audioTrackId);
            return (video?.framesDecoded ?? 0) >= 30 && (audio?.packetsReceived ?? 0) >= 50 && (audio?.totalAudioEnergy ?? 0) > 0;
          }),
        `${person.name} decodes ≥30 frames and receives audio with energy from each other person`,
      );
      for (const other of others) {
        const pixels = await tilePixels(person.page, other);
        expect(pixels.width, `${person.name} renders ${other}'s video`).toBeGreaterThan(0);
        expect(pixels.mean + pixels.spread, `${person.name} sees a non-black picture of ${other}`).toBeGreaterThan(30);
      }
    }
    expect(await health()).toMatchObject({ rooms: 1, peers: 3, routers: 1, transports: 6, producers: 6, consumers: 12 });
    // Who speaks when stays in the browsers: no sender or receiver negotiated audio levels with the SFU.
    const negotiated = await ada.page.evaluate(() =>
      window.__peerConnections.flatMap((connection) => [
        ...connection.getSenders().flatMap((sender) => sender.getParameters().headerExtensions.map(({ uri }) => uri)),
        ...connection.getReceivers().flatMap((receiver) => receiver.getParameters().headerExtensions.map(({ uri }) => uri)),
      ]),
    );
    expect(negotiated, 'header extensions negotiated').toContain('urn:ietf:params:rtp-hdrext:sdes:mid');
    expect(negotiated.filter((uri) => uri.includes('audio-level'))).toEqual([]);

    // Ada turns her camera off: Ben stops decoding her frames, and sees her avatar.
    const adaAtBen = (await remoteTiles(ben.page)).find((tile) => tile.name === 'Ada')!;
    await ada.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expect(ben.page.locator('[data-tile="remote"][aria-label="Ada"] video')).toHaveCount(0);
    await expect(ben.page.locator('[data-tile="remote"][aria-label="Ada"]')).toContainText('Camera off');
    // Frames already on their way when the avatar showed may still be decoded; after them, none.
    const pausedAt = await settled(() => framesDecoded(ben.page, adaAtBen.videoTrackId!));
    await ben.page.waitForTimeout(2000);
    const whilePaused = (await framesDecoded(ben.page, adaAtBen.videoTrackId!)) - pausedAt;
    expect(whilePaused, 'frames decoded in 2 s while the camera is off').toBe(0);

    // ... and back on: frames flow again on the same stream.
    await ada.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expect(ben.page.locator('[data-tile="remote"][aria-label="Ada"] video')).toHaveCount(1);
    await until(
      () => framesDecoded(ben.page, adaAtBen.videoTrackId!),
      (frames) => frames >= pausedAt + 20,
      'Ben decodes Ada again after she turns the camera on',
    );

    // Ben mutes: Ada sees it, and Ben's audio stops reaching her until he unmutes.
    const benAtAda = (await remoteTiles(ada.page)).find((tile) => tile.name === 'Ben')!;
    const audioPackets = async () =>
      (await inboundStreams(ada.page)).find((stream) => stream.trackIdentifier === benAtAda.audioTrackId)?.packetsReceived ?? 0;
    await ben.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect(ada.page.locator('[data-tile="remote"][aria-label="Ben"]')).toContainText('Muted');
    await ada.page.waitForTimeout(500);
    const mutedAt = await audioPackets();
    await ada.page.waitForTimeout(2000);
    expect((await audioPackets()) - mutedAt, 'audio packets from Ben in 2 s while muted').toBeLessThanOrEqual(2);
    await ben.page.getByRole('button', { name: 'Unmute' }).click();
    await expect(ada.page.locator('[data-tile="remote"][aria-label="Ben"]')).not.toContainText('Muted');
    await until(audioPackets, (packets) => packets >= mutedAt + 50, 'Ada receives Ben’s audio again after he unmutes');

    // Cem leaves: his tile goes away for Ada and Ben, and the SFU holds nothing of his.
    await cem.page.getByRole('button', { name: 'Leave' }).click();
    await expect(cem.page.getByText('You left the meeting.')).toBeVisible();
    for (const person of [ada, ben]) {
      await expect(person.page.locator('[data-tile="remote"]')).toHaveCount(1);
      await expect(person.page.locator('[data-tile="remote"][aria-label="Cem"]')).toHaveCount(0);
    }
    expect(await health()).toMatchObject({ rooms: 1, peers: 2, routers: 1, transports: 4, producers: 4, consumers: 4 });

    // Everyone leaves: nothing is left on the server for this room.
    for (const person of [ada, ben]) await person.page.getByRole('button', { name: 'Leave' }).click();
    await expect.poll(health).toMatchObject({ rooms: 0, peers: 0, routers: 0, transports: 0, producers: 0, consumers: 0 });
    for (const person of people) expect(person.errors, `${person.name}'s console errors`).toEqual([]);
  });
});

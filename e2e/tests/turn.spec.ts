import { createHmac } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { isolatedServer } from '../support/isolated';
import { SERVER_IP } from '../support/network';
import { framesDecoded, join, newRoomLink, remoteTiles, type Participant } from '../support/participants';

/** Our own TURN (coturn, shipped configuration): a call that may use nothing but the relay. */

const TURN_PORT = 19578;
const TURN_SECRET = 'turn-test-secret';
const TURN_URL = `turn:${SERVER_IP}:${TURN_PORT}?transport=udp`;

/** ICE candidates a fresh connection gathers with the given TURN credentials, relay only. */
function gatherRelay(page: Page, username: string, credential: string): Promise<{ relay: number; errors: number[] }> {
  return page.evaluate(
    async ({ url, username, credential }) => {
      const connection = new RTCPeerConnection({ iceServers: [{ urls: url, username, credential }], iceTransportPolicy: 'relay' });
      const found = { relay: 0, errors: [] as number[] };
      connection.addEventListener('icecandidate', ({ candidate }) => candidate?.type === 'relay' && found.relay++);
      connection.addEventListener('icecandidateerror', (event) => found.errors.push((event as RTCPeerConnectionIceErrorEvent).errorCode));
      connection.createDataChannel('probe');
      await connection.setLocalDescription(await connection.createOffer());
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 8000);
        connection.addEventListener('icegatheringstatechange', () => connection.iceGatheringState === 'complete' && (clearTimeout(timer), done()));
      });
      connection.close();
      return found;
    },
    { url: TURN_URL, username, credential },
  );
}

function credentials(expiresInSeconds: number): { username: string; credential: string } {
  const username = String(Math.floor(Date.now() / 1000) + expiresInSeconds);
  return { username, credential: createHmac('sha1', TURN_SECRET).update(username).digest('base64') };
}

test.describe.serial('our own TURN', () => {
  const setup = isolatedServer({
    port: 19180,
    rtcPort: 19200,
    turnPort: TURN_PORT,
    turnSecret: TURN_SECRET,
    env: { RAUM_TURN_URLS: TURN_URL, RAUM_TURN_TTL: '600', RAUM_FORCE_RELAY: 'true' },
  });
  let people: Participant[] = [];
  test.afterAll(async () => {
    for (const person of people) await person.context.close();
  });

  test('three people complete a call through the relay only', async () => {
    test.setTimeout(180_000);
    const link = newRoomLink();
    const { origin, browsers: [inA, inB] } = setup();
    people = [await join(inA, link, 'Ada', { origin }), await join(inB, link, 'Ben', { origin }), await join(inA, link, 'Cem', { origin })];
    for (const { page } of people) {
      await expect.poll(async () => (await remoteTiles(page)).filter((tile) => tile.videoTrackId).length, { timeout: 30_000 }).toBe(2);
      for (const tile of await remoteTiles(page)) {
        await expect.poll(() => framesDecoded(page, tile.videoTrackId!), { timeout: 30_000, message: `frames from ${tile.name}` }).toBeGreaterThan(10);
      }
      const pairs = await page.evaluate(async () => {
        const used: string[] = [];
        for (const connection of window.__peerConnections) {
          const stats = await connection.getStats();
          stats.forEach((report) => {
            if (report.type !== 'transport' || !report.selectedCandidatePairId) return;
            const pair = stats.get(report.selectedCandidatePairId);
            used.push(`${stats.get(pair.localCandidateId).candidateType}->${stats.get(pair.remoteCandidateId).address}`);
          });
        }
        return used;
      });
      expect(pairs.length).toBe(2);
      for (const pair of pairs) expect(pair).toBe(`relay->${SERVER_IP}`);
    }
  });

  test('coturn gives a relay for fresh credentials and refuses expired ones', async () => {
    const page = await (await setup().browsers[0].newContext({ baseURL: setup().origin })).newPage();
    await page.goto('/');
    const fresh = credentials(600);
    expect((await gatherRelay(page, fresh.username, fresh.credential)).relay).toBeGreaterThan(0);
    const expired = credentials(-60);
    const refused = await gatherRelay(page, expired.username, expired.credential);
    expect(refused.relay).toBe(0);
    expect(refused.errors).toContain(401);
    await page.context().close();
  });
});

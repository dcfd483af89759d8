import { createHmac } from 'node:crypto';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CLIENTS, createNetwork, launchIn, removeNetwork, SERVER_IP } from '../support/network';
import { framesDecoded, newRoomLink, remoteTiles } from '../support/participants';
import { startCoturn, startRaum, type RaumProcess, type RunningProcess } from '../support/processes';

/** Our own TURN (coturn, shipped configuration): a call that may use nothing but the relay. */

const PORT = 19180;
const TURN_PORT = 19578;
const TURN_SECRET = 'turn-test-secret';
const ORIGIN = `http://${SERVER_IP}:${PORT}`;
const TURN_URL = `turn:${SERVER_IP}:${TURN_PORT}?transport=udp`;

let raum: RaumProcess;
let turn: RunningProcess;
let browsers: Browser[] = [];
const contexts: BrowserContext[] = [];

async function join(browser: Browser, link: string, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: ORIGIN, locale: 'en-US', permissions: ['camera', 'microphone'] });
  contexts.push(context);
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections.push(this);
      }
    };
  });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Leave' })).toBeVisible();
  return page;
}

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
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    createNetwork();
    turn = await startCoturn({ ip: SERVER_IP, port: TURN_PORT, secret: TURN_SECRET });
    raum = await startRaum(SERVER_IP, PORT, {
      RAUM_RTC_LISTEN_IP: SERVER_IP,
      RAUM_RTC_PORT: '19200',
      RAUM_TURN_URLS: TURN_URL,
      RAUM_TURN_SECRET: TURN_SECRET,
      RAUM_TURN_TTL: '600',
      RAUM_FORCE_RELAY: 'true',
    });
    browsers = await Promise.all(CLIENTS.map((client) => launchIn(client, ORIGIN)));
  });

  test.afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    for (const browser of browsers) await browser.close();
    await raum?.stop();
    await turn?.stop();
    removeNetwork();
  });

  test('three people complete a call through the relay only', async () => {
    test.setTimeout(180_000);
    const link = newRoomLink();
    const [inA, inB] = browsers;
    const pages = [await join(inA, `${ORIGIN}${link}`, 'Ada'), await join(inB, `${ORIGIN}${link}`, 'Ben'), await join(inA, `${ORIGIN}${link}`, 'Cem')];
    for (const page of pages) {
      await expect.poll(async () => (await remoteTiles(page)).filter((tile) => tile.videoTrackId).length, { timeout: 30_000 }).toBe(2);
      for (const tile of await remoteTiles(page)) {
        await expect.poll(() => framesDecoded(page, tile.videoTrackId!), { timeout: 30_000, message: `frames from ${tile.name}` }).toBeGreaterThan(10);
      }
      const pairs = await page.evaluate(async () => {
        const used: string[] = [];
        for (const connection of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
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
    const page = await (await browsers[0].newContext({ baseURL: ORIGIN })).newPage();
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

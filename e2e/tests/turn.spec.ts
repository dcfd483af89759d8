import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { expect, test, type Page } from '@playwright/test';
import { isolatedServer } from '../support/isolated';
import { SERVER_IP } from '../support/network';
import {
  framesDecoded,
  join,
  mediaPaths,
  newRoomLink,
  remoteTiles,
  sinceLastFrame,
  until,
  type Participant,
} from '../support/participants';
import { startCoturn, type RunningProcess } from '../support/processes';
import { TurnClient, type Address } from '../support/turn-client';

/** Our own TURN (coturn, shipped configuration): a call that may use nothing but the relay, and a relay that reaches the SFU and nothing else. */

const TURN_PORT = 19578;
const TURN_SECRET = 'turn-test-secret';
const TURN_URL = `turn:${SERVER_IP}:${TURN_PORT}?transport=udp`;
const TURN: Address = { address: SERVER_IP, port: TURN_PORT };

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
        connection.addEventListener(
          'icegatheringstatechange',
          () => connection.iceGatheringState === 'complete' && (clearTimeout(timer), done()),
        );
      });
      connection.close();
      return found;
    },
    { url: TURN_URL, username, credential },
  );
}

/** The media paths a page uses now: local candidate type -> remote address. */
async function selectedPairs(page: Page): Promise<string[]> {
  return (await mediaPaths(page)).map((path) => `${path.localType}->${path.remoteAddress}`);
}

/** TURN REST credentials as Raum hands them out: "<expiry>:<nonce>", and HMAC-SHA1 of that under the secret. */
function credentials(expiresInSeconds: number): { username: string; credential: string } {
  const username = `${Math.floor(Date.now() / 1000) + expiresInSeconds}:${randomBytes(9).toString('base64url')}`;
  return { username, credential: createHmac('sha1', TURN_SECRET).update(username).digest('base64') };
}

/** A TURN client of our own (what a browser, or someone looking for an open relay, would send), for `use`. */
async function withTurnClient(server: Address, use: (turn: TurnClient) => Promise<void>): Promise<void> {
  const turn = await TurnClient.open(server);
  try {
    await use(turn);
  } finally {
    turn.close();
  }
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
    const {
      origin,
      browsers: [inA, inB],
    } = setup();
    people = [await join(inA, link, 'Ada', { origin }), await join(inB, link, 'Ben', { origin }), await join(inA, link, 'Cem', { origin })];
    for (const { page } of people) {
      await expect.poll(async () => (await remoteTiles(page)).filter((tile) => tile.videoTrackId).length, { timeout: 30_000 }).toBe(2);
      for (const tile of await remoteTiles(page)) {
        await expect
          .poll(() => framesDecoded(page, tile.videoTrackId!), { timeout: 30_000, message: `frames from ${tile.name}` })
          .toBeGreaterThan(10);
      }
      expect(await selectedPairs(page)).toEqual([`relay->${SERVER_IP}`, `relay->${SERVER_IP}`]);
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

  test('coturn relays to the SFU and to no other address', async () => {
    const sfu = createSocket('udp4');
    await new Promise<void>((bound) => sfu.bind(0, SERVER_IP, bound));
    const target = { address: SERVER_IP, port: sfu.address().port };
    try {
      await withTurnClient(TURN, async (turn) => {
        expect(await turn.allocate(credentials(600))).toBe(200);
        // Loopback, the host's other private address, and a public address
        // that is not the SFU (TEST-NET-3): a permission sends nothing to the
        // peer, so asking for one is safe.
        for (const peer of ['127.0.0.1', '10.202.0.1', '203.0.113.7']) expect(await turn.createPermission(peer), peer).toBe(403);

        // The SFU (here a socket on its address): data passes both ways.
        expect(await turn.createPermission(SERVER_IP)).toBe(200);
        turn.send(target, Buffer.from('to the SFU'));
        const [arrived, relay] = await once(sfu, 'message', { signal: AbortSignal.timeout(5000) });
        expect(String(arrived)).toBe('to the SFU');
        sfu.send('from the SFU', relay.port, relay.address);
        expect(await turn.receive()).toEqual({ peer: target, data: Buffer.from('from the SFU') });
      });
    } finally {
      sfu.close();
    }
  });

  test('coturn refuses IPv4-mapped IPv6 peers such as ::ffff:127.0.0.1', async () => {
    // This coturn relays from SERVER_IP only: it grants no IPv6 relay (440),
    // and its IPv4 relay refuses an IPv6 peer (443) before it asks the deny list.
    await withTurnClient(TURN, async (turn) => expect(await turn.allocate(credentials(600), 'IPv6')).toBe(440));
    await withTurnClient(TURN, async (turn) => {
      expect(await turn.allocate(credentials(600))).toBe(200);
      expect(await turn.createPermission('::ffff:127.0.0.1')).toBe(443);
    });

    // Where coturn has IPv6 relay addresses (by default it relays from every
    // address of the host), only the deny list refuses this peer: coturn's own
    // loopback check does not know the mapped form. The shipped configuration,
    // relaying from ::1:
    const ipv6 = { address: '::1', port: TURN_PORT + 1 };
    const coturn = await startCoturn({ ip: ipv6.address, port: ipv6.port, secret: TURN_SECRET });
    try {
      await withTurnClient(ipv6, async (turn) => {
        expect(await turn.allocate(credentials(600), 'IPv6')).toBe(200);
        expect(await turn.createPermission('::ffff:127.0.0.1')).toBe(403);
      });
    } finally {
      await coturn.stop();
    }
  });
});

test.describe.serial('a relayed call longer than its TURN credentials last', () => {
  const TTL_S = 10;
  const port = 19878;
  const setup = isolatedServer({
    port: 19780,
    rtcPort: 19800,
    turnPort: port,
    turnSecret: TURN_SECRET,
    env: { RAUM_TURN_URLS: `turn:${SERVER_IP}:${port}?transport=udp`, RAUM_TURN_TTL: String(TTL_S), RAUM_FORCE_RELAY: 'true' },
  });
  let people: Participant[] = [];
  let restarted: RunningProcess | undefined;
  test.afterAll(async () => {
    for (const person of people) await person.context.close();
    await restarted?.stop();
  });

  test('gets fresh credentials before the old ones expire, and can still get a relay long after', async () => {
    test.setTimeout(180_000);
    const link = newRoomLink();
    const {
      origin,
      browsers: [inA, inB],
      turn,
    } = setup();
    const renewals: number[] = [];
    const ada = await join(inA, link, 'Ada', {
      origin,
      watch: (page) =>
        page.on('websocket', (socket) =>
          socket.on('framereceived', ({ payload }) => String(payload).includes('"method":"iceServers"') && renewals.push(Date.now())),
        ),
    });
    const ben = await join(inB, link, 'Ben', { origin });
    people = [ada, ben];
    const fresh = (page: Page, name: string) =>
      until(
        () => sinceLastFrame(page),
        (ago) => ago[name] !== undefined && ago[name] < 1000,
        `fresh frames of ${name}`,
        30_000,
      );
    await fresh(ada.page, 'Ben');
    await fresh(ben.page, 'Ada');

    // Long after the first credentials expired, the relay restarts and every allocation is gone:
    // the browsers must allocate anew, which only valid credentials can.
    await ada.page.waitForTimeout(3 * TTL_S * 1000);
    await turn.stop();
    restarted = await startCoturn({ ip: SERVER_IP, port, secret: TURN_SECRET });
    await fresh(ada.page, 'Ben');
    await fresh(ben.page, 'Ada');
    for (const { page } of people) expect(await selectedPairs(page)).toEqual([`relay->${SERVER_IP}`, `relay->${SERVER_IP}`]);
    expect(renewals.length, 'credentials renewed over signalling').toBeGreaterThanOrEqual(3);
  });
});

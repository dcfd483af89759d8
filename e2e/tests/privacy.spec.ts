import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isIP } from 'node:net';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { MAX_MESSAGE_BYTES } from '@raum/protocol';
import { isolatedServer } from '../support/isolated';
import { CLIENTS, SERVER_IP } from '../support/network';
import { framesDecoded, inboundStreams, join, newRoomLink, remoteTiles } from '../support/participants';

/**
 * Raum's privacy promises (../shared/design/privacy.md), each a test that
 * fails when the promise is broken. One scripted session — join, chat, mute,
 * camera off, malformed messages, an error path, a reconnect, leaving — runs
 * with every client in its own network namespace, so client addresses differ
 * from the server's; then each promise is checked against what was recorded.
 */

const PORT = 19080;
const TURN_PORT = 19478;
const ORIGIN = `http://${SERVER_IP}:${PORT}`;
const NAMES = ['Adelheid Privatnutzerin', 'Bartholomäus Geheimrat', 'Cordelia Vertraulich'];
const CHAT = ['Befund von Frau Müller besprechen', 'Passwort ist Sommer2026!'];

interface Recorded {
  readonly page: Page;
  readonly requests: Array<{ url: string; headers: Record<string, string> }>;
  readonly sockets: string[];
  readonly framesReceived: string[];
  readonly console: Array<{ type: string; text: string }>;
}

const link = newRoomLink();
const roomId = link.split('/r/')[1].split('#')[0];
const secret = link.split('#k=')[1];
const contexts: BrowserContext[] = [];
const recorded: Recorded[] = [];
let openWritableFiles: { processes: number; files: string[] } = { processes: 0, files: [] };
let userAgents: string[] = [];

async function open(browser: Browser, name: string): Promise<Recorded> {
  const record = { requests: [], sockets: [], framesReceived: [], console: [] } as Omit<Recorded, 'page'>;
  const { context, page } = await join(browser, link, name, {
    origin: ORIGIN,
    watch: (opening) => {
      opening.on('response', async (response) => record.requests.push({ url: response.url(), headers: await response.allHeaders() }));
      opening.on('requestfailed', (request) => record.requests.push({ url: request.url(), headers: {} }));
      opening.on('websocket', (socket) => {
        record.sockets.push(socket.url());
        socket.on('framereceived', ({ payload }) => record.framesReceived.push(String(payload)));
      });
      opening.on('console', (message) => record.console.push({ type: message.type(), text: message.text() }));
    },
  });
  contexts.push(context);
  recorded.push({ ...record, page });
  return { ...record, page };
}

async function decodes(viewer: Page, name: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const tile = (await remoteTiles(viewer)).find((candidate) => candidate.name === name);
        return tile?.videoTrackId ? framesDecoded(viewer, tile.videoTrackId) : 0;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(10);
}

async function health(): Promise<Record<string, unknown>> {
  return (await fetch(`${ORIGIN}/health`)).json();
}

/** Regular files a process and its children (the mediasoup worker) hold open for writing. */
function writableFiles(pid: number): { processes: number; files: string[] } {
  const pids = [String(pid), ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)];
  const files = pids.flatMap((process) =>
    readdirSync(`/proc/${process}/fd`).flatMap((fd) => {
      const target = readlinkSync(`/proc/${process}/fd/${fd}`);
      if (!target.startsWith('/') || target.startsWith('/dev/')) return [];
      const flags = Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/${process}/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0', 8);
      return flags & 0o3 ? [target] : [];
    }),
  );
  return { processes: pids.length, files };
}

test.describe.serial('privacy promises, proven on a whole session', () => {
  const setup = isolatedServer({
    port: PORT,
    rtcPort: 19100,
    turnPort: TURN_PORT,
    turnSecret: 'privacy-test-turn-secret',
    env: {
      RAUM_TURN_URLS: `turn:${SERVER_IP}:${TURN_PORT}?transport=udp,turn:${SERVER_IP}:${TURN_PORT}?transport=tcp`,
      RAUM_HEALTH_DETAILS: 'true',
    },
  });
  test.afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
  });

  test('a scripted session: join, chat, mute, camera, malformed messages, an error path, a reconnect, leave', async () => {
    test.setTimeout(300_000);
    const [inA, inB] = setup().browsers;
    const ada = await open(inA, NAMES[0]);
    const ben = await open(inB, NAMES[1]);
    const cem = await open(inA, NAMES[2]);
    userAgents = await Promise.all([ada, ben].map((record) => record.page.evaluate(() => navigator.userAgent)));
    await decodes(ada.page, NAMES[1]);
    await decodes(ben.page, NAMES[0]);
    await decodes(cem.page, NAMES[1]);
    openWritableFiles = writableFiles(setup().raum.pid);

    await ada.page.getByRole('button', { name: /^Chat/ }).click();
    await ada.page.getByLabel('Message').fill(CHAT[0]);
    await ada.page.getByRole('button', { name: 'Send' }).click();
    await ben.page.getByRole('button', { name: /^Chat/ }).click();
    await expect(ben.page.locator('.chat')).toContainText(CHAT[0]);
    await ben.page.getByLabel('Message').fill(CHAT[1]);
    await ben.page.getByRole('button', { name: 'Send' }).click();
    await expect(ada.page.locator('.chat')).toContainText(CHAT[1]);

    await ben.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await ben.page.getByRole('button', { name: 'Unmute' }).click();
    await cem.page.getByRole('button', { name: 'Turn camera off' }).click();
    await cem.page.getByRole('button', { name: 'Turn camera on' }).click();

    // Malformed and out-of-order messages, and an error path, from a client's own address.
    const answers = await ada.page.evaluate(
      async ({ room, tooLarge }) => {
        const socket = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
        await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
        const replies: string[] = [];
        socket.addEventListener('message', (event) => replies.push(String(event.data)));
        for (const message of [
          'garbage {',
          JSON.stringify({ type: 'request', id: 1, method: 'produce', data: {} }),
          JSON.stringify({
            type: 'request',
            id: 2,
            method: 'join',
            // Names are not part of the protocol (they travel end-to-end encrypted): an unknown key is a bad request.
            data: { roomId: room, rtpCapabilities: {}, e2ee: true, displayName: 'x'.repeat(100) },
          }),
          JSON.stringify({ type: 'request', id: 3, method: 'createTransport', data: { direction: 'send' } }),
          'x'.repeat(tooLarge),
        ]) {
          socket.send(message);
        }
        // Wait for every answer (a busy machine can take seconds), but not forever: a missing answer must fail below.
        for (let waited = 0; replies.length < 5 && waited < 15_000; waited += 100) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        socket.close();
        return replies.map((reply) => JSON.parse(reply).error?.code);
      },
      { room: roomId, tooLarge: MAX_MESSAGE_BYTES + 1 },
    );
    expect(answers.sort()).toEqual(['bad-request', 'bad-request', 'bad-request', 'invalid-state', 'message-too-large']);
    await expect(ada.page.locator('[data-tile="remote"]')).toHaveCount(2);

    // Ben's connection drops (reload) and he comes back.
    await ben.page.reload();
    await ben.page.getByLabel('Your name').fill(NAMES[1]);
    await ben.page.getByRole('button', { name: 'Join', exact: true }).click();
    await decodes(ben.page, NAMES[0]);
    await decodes(ada.page, NAMES[1]);

    for (const record of [ada, ben, cem]) await record.page.getByRole('button', { name: 'Leave' }).click();
    // A leave whose connection was lost on the way is settled once the server has given the silent socket up (15 s)
    // and the resume grace has passed (30 s): by then everything must be gone.
    await expect
      .poll(health, { timeout: 60_000 })
      .toMatchObject({ rooms: 0, peers: 0, routers: 0, transports: 0, producers: 0, consumers: 0 });
  });

  test('P1: nothing the server, its worker or coturn printed names a client (address, browser, name, room, secret, chat)', () => {
    const secrets = [
      ...CLIENTS.map((client) => client.ip),
      ...userAgents,
      'HeadlessChrome',
      'Mozilla/5.0',
      'X11; Linux',
      ...NAMES,
      roomId,
      secret,
      ...CHAT,
    ];
    const { raum, turn } = setup();
    for (const [who, output] of [
      ['server', raum.output.join('')],
      ['coturn', turn.output.join('')],
    ] as const) {
      for (const item of secrets) expect(output.includes(item), `${who} printed "${item}"`).toBe(false);
    }
    const lines = raum.output.join('').split('\n').filter(Boolean);
    expect(lines[0]).toBe(`Raum is running at ${ORIGIN}/`);
    for (const line of lines.slice(1)) expect(line, 'only warnings and errors').toMatch(/^(WARN|ERROR) \[|^\s+at /);
  });

  test('P2: every request and WebSocket went to Raum’s origin, ICE only to its TURN; strict headers, no cookies', async () => {
    for (const record of recorded) {
      expect(record.requests.length).toBeGreaterThan(5);
      for (const { url } of record.requests) expect(url.startsWith(`${ORIGIN}/`), url).toBe(true);
      expect(record.sockets.length).toBeGreaterThan(0);
      for (const url of record.sockets) expect(url).toBe(`ws://${SERVER_IP}:${PORT}/ws`);
      for (const { headers } of record.requests) expect(headers['set-cookie'], 'Set-Cookie').toBeUndefined();
    }
    const iceServers = await recorded[0].page.evaluate(() =>
      window.__peerConnections.flatMap((connection) => connection.getConfiguration().iceServers ?? []),
    );
    expect(iceServers.length).toBeGreaterThan(0);
    for (const server of iceServers) {
      for (const url of [server.urls].flat())
        expect(url).toMatch(new RegExp(`^turn:${SERVER_IP.replace(/\./g, '\\.')}:${TURN_PORT}\\?transport=(udp|tcp)$`));
    }

    const document = recorded[0].requests.find(({ url }) => url === `${ORIGIN}${link.split('#')[0]}`)!;
    const headers = document.headers;
    const csp = headers['content-security-policy'];
    const directives = new Map(
      csp
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(headers['referrer-policy']).toBe('no-referrer');
    const permissions = headers['permissions-policy'].split(',').map((part) => part.trim());
    expect(permissions.filter((part) => part.endsWith('=(self)')).sort()).toEqual([
      'camera=(self)',
      'display-capture=(self)',
      'fullscreen=(self)',
      'microphone=(self)',
    ]);
    expect(permissions.every((part) => part.endsWith('=(self)') || part.endsWith('=()'))).toBe(true);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    for (const context of contexts) expect(await context.cookies()).toEqual([]);
  });

  test('P4: no client ever received another client’s address; media came only from the SFU (or TURN)', async () => {
    // Every maximal run of hex digits, colons and dots that is an IP address (a DTLS fingerprint is not).
    const addresses = (text: string) => (text.match(/[0-9a-f:.]{2,}/gi) ?? []).filter((token) => isIP(token) !== 0);
    for (const record of recorded) {
      expect(record.framesReceived.length).toBeGreaterThan(20);
      const seen = new Set(record.framesReceived.flatMap(addresses));
      // The SFU's own candidates are there, so the scan does find addresses...
      expect(seen).toContain(SERVER_IP);
      // ...and nothing else: no client's.
      for (const address of seen) expect(address, 'an address in a signalling frame').toBe(SERVER_IP);
    }
  });

  test('P4: the remote ICE candidates a client used are the SFU’s or TURN’s', async () => {
    // A fresh short call, so the peer connections are live.
    const [inA, inB] = setup().browsers;
    const a = await open(inA, 'A');
    const b = await open(inB, 'B');
    await decodes(a.page, 'B');
    for (const record of [a, b]) {
      const remote = await record.page.evaluate(async () => {
        const addresses: string[] = [];
        for (const connection of window.__peerConnections) {
          if (connection.connectionState === 'closed') continue;
          (await connection.getStats()).forEach((report) => report.type === 'remote-candidate' && addresses.push(report.address));
        }
        return addresses;
      });
      expect(remote.length).toBeGreaterThan(0);
      expect([...new Set(remote)]).toEqual([SERVER_IP]);
    }
    expect((await inboundStreams(a.page)).length).toBeGreaterThan(0);
    for (const record of [a, b]) await record.page.getByRole('button', { name: 'Leave' }).click();
  });

  test('P5: the client printed warnings at most, and nothing personal', () => {
    const secrets = [...NAMES, roomId, secret, ...CLIENTS.map((client) => client.ip), SERVER_IP, ...userAgents, 'fake_', 'Fake '];
    for (const record of recorded) {
      for (const { type, text } of record.console) {
        expect(['warning'], `console.${type}: ${text}`).toContain(type);
        for (const item of secrets) expect(text.includes(item), `console printed "${item}"`).toBe(false);
      }
    }
  });

  test('P7: the server wrote nothing and kept nothing', async () => {
    expect(openWritableFiles.processes, 'the server and its mediasoup worker were inspected').toBeGreaterThanOrEqual(2);
    expect(openWritableFiles.files, 'files the server or its worker held open for writing during the call').toEqual([]);
    for (const dir of setup().raum.dirs) expect(readdirSync(dir), `${dir} (working directory, TMPDIR, HOME)`).toEqual([]);
    expect(await health()).toMatchObject({ rooms: 0, peers: 0, routers: 0, transports: 0, producers: 0, consumers: 0 });
  });
});

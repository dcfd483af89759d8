import { expect, test } from '@playwright/test';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@raum/protocol';
import { baseURL } from '../playwright.config';
import { health, noRoomsLeft } from '../support/participants';

type Message = { type: string; id?: number | null; ok?: boolean; data?: any; error?: { code: string; message: string } };

/** Speaks the signalling protocol directly, the way a broken or hostile client would. */
async function connect(): Promise<{ send: (payload: string | Uint8Array) => Promise<Message>; socket: WebSocket }> {
  // Node's WebSocket sends no Origin unless told; the server admits only its own.
  const socket = new WebSocket(`${baseURL.replace('http', 'ws')}/ws`, { headers: { origin: baseURL } } as never);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const send = (payload: string | Uint8Array) =>
    new Promise<Message>((resolve) => {
      const listener = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as Message;
        if (message.type !== 'response') return;
        socket.removeEventListener('message', listener);
        resolve(message);
      };
      socket.addEventListener('message', listener);
      socket.send(payload as string | ArrayBufferView<ArrayBuffer>);
    });
  return { send, socket };
}

test('malformed, oversized and out-of-order messages get typed errors; the connection and the room survive', async () => {
  // Counts below are absolute: start once the previous tests' rooms are gone.
  await noRoomsLeft();
  const { send, socket } = await connect();
  const roomId = 'e2e-protocol-room-000000001';
  const request = (id: number, method: string, data: unknown) => JSON.stringify({ type: 'request', id, method, data });

  const capabilities = await send(request(1, 'capabilities', { protocolVersion: PROTOCOL_VERSION }));
  expect(capabilities.ok).toBe(true);
  const joined = await send(request(2, 'join', { roomId, rtpCapabilities: capabilities.data.routerRtpCapabilities, e2ee: true }));
  expect(joined).toMatchObject({ type: 'response', id: 2, ok: true });

  const cases: Array<[string | Uint8Array, string, number | null]> = [
    ['not json at all', 'bad-request', null],
    [JSON.stringify({ type: 'request', id: 3 }), 'bad-request', 3],
    [request(4, 'explode', {}), 'bad-request', 4],
    [request(5, 'createTransport', { direction: 'both' }), 'bad-request', 5],
    [
      request(6, 'connectTransport', { transportId: 'nope', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] } }),
      'not-found',
      6,
    ],
    [request(7, 'join', { roomId, rtpCapabilities: {}, e2ee: true }), 'invalid-state', 7],
    [request(8, 'capabilities', { padding: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'message-too-large', null],
    [new Uint8Array([0, 1, 2]), 'bad-request', null],
  ];
  for (const [payload, code, id] of cases) {
    const response = await send(payload);
    expect(response, String(payload).slice(0, 60)).toMatchObject({ type: 'response', ok: false, id, error: { code } });
    expect(socket.readyState).toBe(WebSocket.OPEN);
  }

  // Still in the room, still working.
  await expect.poll(health).toMatchObject({ rooms: 1, peers: 1 });
  const transport = await send(request(9, 'createTransport', { direction: 'recv' }));
  expect(transport).toMatchObject({ ok: true, id: 9 });
  await expect.poll(health).toMatchObject({ transports: 1 });

  socket.close();
  await expect.poll(health).toMatchObject({ rooms: 0, peers: 0, routers: 0, transports: 0 });
});

import { ROOM_ID_PATTERN } from '@raum/protocol';
import { concat, toBase64Url, utf8 } from './e2ee/bytes';
import { HOST_KEY_BYTES } from './e2ee/room-secret';

/** Separates this use of SHA-256 from any other; the server derives the same (server/src/rooms/host-link.ts). */
const HOST_LABEL = 'raum host v1';

/**
 * The room id a host key commits to: the first 16 bytes of SHA-256 over a
 * label and the key, base64url. Whoever presents the key is the meeting's
 * host; the server checks it against the id and needs to remember nothing.
 */
export async function hostRoomId(hostKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(utf8(HOST_LABEL), hostKey)));
  return toBase64Url(digest.subarray(0, 16));
}

/** A new meeting: a random host key (128 bits) and the id it commits to, unguessable and safe in a path. */
export async function newHostedRoom(): Promise<{ roomId: string; hostKey: Uint8Array<ArrayBuffer> }> {
  const hostKey = crypto.getRandomValues(new Uint8Array(HOST_KEY_BYTES));
  return { roomId: await hostRoomId(hostKey), hostKey };
}

export function isRoomId(value: string | null | undefined): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

/**
 * The shareable link of a room. Only the path reaches the server; the
 * fragment (after #) is the browser's alone and carries the room's
 * end-to-end encryption secret, and in a host link the host key (see
 * e2ee/room-secret.ts).
 */
export function roomUrl(roomId: string, fragment: string, origin = location.origin): string {
  return new URL(`/r/${roomId}#${fragment}`, origin).href;
}

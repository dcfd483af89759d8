import { ROOM_ID_PATTERN } from '@raum/protocol';

/** 128 random bits, base64url: unguessable, and safe in a path. */
export function newRoomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function isRoomId(value: string | null | undefined): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

/**
 * The shareable link of a room. Only the path reaches the server; the
 * fragment (after #) is the browser's alone and carries the room's
 * end-to-end encryption secret (see e2ee/room-secret.ts).
 */
export function roomUrl(roomId: string, fragment: string, origin = location.origin): string {
  return new URL(`/r/${roomId}#${fragment}`, origin).href;
}

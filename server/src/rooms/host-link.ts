import { createHash } from 'node:crypto';

/** Separates this use of SHA-256 from any other. */
const LABEL = 'raum host v1';

/**
 * The room id a host key commits to: the first 16 bytes of SHA-256 over a
 * label and the key, base64url (22 characters, like a random room id). The
 * browser makes a hosted meeting's id this way (`client/src/app/core/room-link.ts`);
 * the server checks a presented key against the id, and so recognises the
 * host again after every restart without keeping anything.
 */
export function hostRoomId(hostKey: string): string {
  const key = Buffer.from(hostKey, 'base64url');
  return createHash('sha256').update(LABEL).update(key).digest().subarray(0, 16).toString('base64url');
}

export function isHostKeyOf(roomId: string, hostKey: string): boolean {
  return hostRoomId(hostKey) === roomId;
}

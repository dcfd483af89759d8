import { concat, fromBase64Url, hkdf, toBase64Url, utf8 } from './bytes';

/**
 * What a link's secret gives outside the MLS group, each bound to the room:
 * - a proof for the server, which a host hands it when making a new link,
 *   so that joins with the old one are refused. One-way: it opens nothing;
 * - the key that seals a knock's name for the members, so the server relays
 *   it unread. It is bound to the knock, so it cannot be shown for another.
 */

const IV_BYTES = 12;

const derive = (secret: Uint8Array<ArrayBuffer>, roomId: string, label: string, bytes: number) =>
  hkdf(secret, utf8(roomId), utf8(`raum/v2 ${label}`), bytes);

export async function linkProof(secret: Uint8Array<ArrayBuffer>, roomId: string): Promise<string> {
  return toBase64Url(await derive(secret, roomId, 'join proof', 16));
}

async function knockKey(secret: Uint8Array<ArrayBuffer>, roomId: string): Promise<CryptoKey> {
  const bits = await derive(secret, roomId, 'knock', 16);
  return crypto.subtle.importKey('raw', bits, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function sealKnock(secret: Uint8Array<ArrayBuffer>, roomId: string, knockId: string, name: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(knockId) },
    await knockKey(secret, roomId),
    utf8(name),
  );
  return toBase64Url(concat(iv, new Uint8Array(sealed)));
}

/** The name in a knock; undefined when it was sealed with another link's secret, for another knock, or altered. */
export async function openKnock(
  secret: Uint8Array<ArrayBuffer>,
  roomId: string,
  knockId: string,
  sealed: string,
): Promise<string | undefined> {
  const bytes = fromBase64Url(sealed);
  if (!bytes || bytes.length <= IV_BYTES) return undefined;
  try {
    const opened = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: utf8(knockId) },
      await knockKey(secret, roomId),
      bytes.subarray(IV_BYTES),
    );
    return new TextDecoder().decode(opened);
  } catch {
    return undefined;
  }
}

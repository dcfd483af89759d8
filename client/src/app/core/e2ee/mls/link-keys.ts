import { concat, hkdf, utf8 } from '../bytes';

/**
 * What the link's secret gives a member of the meeting's MLS group, and what
 * a server without it lacks:
 * - the admission key, a MAC key that every member's credential must verify
 *   under, so nobody without the link can be added;
 * - the group's pre-shared key, injected into every epoch, so nobody without
 *   the link can process a commit or a Welcome.
 * Both are bound to the room id.
 */
export interface LinkKeys {
  readonly admission: CryptoKey;
  readonly pskId: Uint8Array<ArrayBuffer>;
  readonly psk: Uint8Array<ArrayBuffer>;
}

const derive = (secret: Uint8Array<ArrayBuffer>, roomId: string, label: string, bytes: number) =>
  hkdf(secret, utf8(roomId), utf8(`raum/v2 ${label}`), bytes);

export async function deriveLinkKeys(secret: Uint8Array<ArrayBuffer>, roomId: string): Promise<LinkKeys> {
  const [admissionBits, pskId, psk] = await Promise.all([
    derive(secret, roomId, 'admission', 32),
    derive(secret, roomId, 'psk id', 16),
    derive(secret, roomId, 'psk', 32),
  ]);
  const admission = await crypto.subtle.importKey('raw', admissionBits, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return { admission, pskId, psk };
}

/** What a member's credential says about it, all of it under the admission MAC. */
export interface MemberIdentity {
  /** The server's id for this participant's session: how the MLS roster meets the server's. */
  readonly peerId: string;
  /** Whether its browser encrypts media (false: it forces a hop-by-hop room). */
  readonly e2ee: boolean;
}

const MAGIC = utf8('raum2');
const MAC_BYTES = 32;

function macInput(identity: MemberIdentity, signaturePublicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(utf8('raum/v2 member\0'), signaturePublicKey, new Uint8Array([identity.e2ee ? 1 : 0]), utf8(identity.peerId));
}

/** The basic credential's identity: "raum2" ‖ flags (1) ‖ MAC (32) ‖ peer id (UTF-8). */
export async function credentialIdentity(
  keys: LinkKeys,
  identity: MemberIdentity,
  signaturePublicKey: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', keys.admission, macInput(identity, signaturePublicKey)));
  return concat(MAGIC, new Uint8Array([identity.e2ee ? 1 : 0]), mac, utf8(identity.peerId));
}

/** The identity in a credential, or undefined when it is malformed. Says nothing about its MAC. */
export function readIdentity(bytes: Uint8Array): MemberIdentity | undefined {
  const header = MAGIC.length + 1 + MAC_BYTES;
  if (bytes.length <= header || MAGIC.some((byte, index) => bytes[index] !== byte) || bytes[MAGIC.length] > 1) return undefined;
  return { e2ee: bytes[MAGIC.length] === 1, peerId: new TextDecoder().decode(bytes.subarray(header)) };
}

/** Whether a credential's identity was made by a holder of the link's secret, for this signature key. */
export async function verifyIdentity(keys: LinkKeys, bytes: Uint8Array, signaturePublicKey: Uint8Array): Promise<boolean> {
  const identity = readIdentity(bytes);
  if (!identity) return false;
  const mac = bytes.slice(MAGIC.length + 1, MAGIC.length + 1 + MAC_BYTES);
  return crypto.subtle.verify('HMAC', keys.admission, mac, macInput(identity, signaturePublicKey));
}

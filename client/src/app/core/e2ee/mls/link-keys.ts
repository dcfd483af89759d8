import { concat, hkdf, utf8 } from '../bytes';

/**
 * What the link's secret gives a member of the meeting's MLS group, and what
 * a server without it lacks, all bound to the room id:
 * - the admission key, a MAC key that every member's credential must verify
 *   under wherever MLS meets it, so nobody without the link is a member;
 * - the joining key: a newcomer's credential must also carry a MAC under the
 *   current link's, checked when they are added;
 * - the group's pre-shared key, injected into every epoch, so nobody without
 *   the link can process a commit or a Welcome.
 * A new link (see room-secret.ts) keeps the first link's admission secret,
 * so the members' credentials stay valid, and brings a new joining key and
 * PSK: whoever holds only the old link is not added and follows no epoch.
 */
export interface LinkKeys extends CurrentLink {
  readonly admission: CryptoKey;
}

/** What changes with each new link. */
export interface CurrentLink {
  readonly joining: CryptoKey;
  readonly psk: GroupPsk;
}

/** The group's external pre-shared key and its id. */
export interface GroupPsk {
  readonly pskId: Uint8Array<ArrayBuffer>;
  readonly psk: Uint8Array<ArrayBuffer>;
}

const derive = (secret: Uint8Array<ArrayBuffer>, roomId: string, label: string, bytes: number) =>
  hkdf(secret, utf8(roomId), utf8(`raum/v2 ${label}`), bytes);

const macKey = async (secret: Uint8Array<ArrayBuffer>, roomId: string, label: string): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', await derive(secret, roomId, label, 32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

export async function deriveCurrentLink(secret: Uint8Array<ArrayBuffer>, roomId: string): Promise<CurrentLink> {
  const [joining, pskId, psk] = await Promise.all([
    macKey(secret, roomId, 'joining'),
    derive(secret, roomId, 'psk id', 16),
    derive(secret, roomId, 'psk', 32),
  ]);
  return { joining, psk: { pskId, psk } };
}

/** `admissionSecret`: the first link's secret, once a host made a new link (by default the secret itself). */
export async function deriveLinkKeys(
  secret: Uint8Array<ArrayBuffer>,
  roomId: string,
  admissionSecret: Uint8Array<ArrayBuffer> = secret,
): Promise<LinkKeys> {
  const [admission, current] = await Promise.all([macKey(admissionSecret, roomId, 'admission'), deriveCurrentLink(secret, roomId)]);
  return { admission, ...current };
}

/** What a member's credential says about it, all of it under the admission MAC. */
export interface MemberIdentity {
  /** The server's id for this participant's session: how the MLS roster meets the server's. */
  readonly peerId: string;
  /** Whether its browser encrypts media (false: it forces a hop-by-hop room). */
  readonly e2ee: boolean;
}

const MAGIC = utf8('raum3');
const MAC_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 1 + 2 * MAC_BYTES;

function macInput(identity: MemberIdentity, signaturePublicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(utf8('raum/v2 member\0'), signaturePublicKey, new Uint8Array([identity.e2ee ? 1 : 0]), utf8(identity.peerId));
}

/** The basic credential's identity: "raum3" ‖ flags (1) ‖ admission MAC (32) ‖ joining MAC (32) ‖ peer id (UTF-8). */
export async function credentialIdentity(
  keys: LinkKeys,
  identity: MemberIdentity,
  signaturePublicKey: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const input = macInput(identity, signaturePublicKey);
  const [admission, joining] = await Promise.all([
    crypto.subtle.sign('HMAC', keys.admission, input),
    crypto.subtle.sign('HMAC', keys.joining, input),
  ]);
  return concat(MAGIC, new Uint8Array([identity.e2ee ? 1 : 0]), new Uint8Array(admission), new Uint8Array(joining), utf8(identity.peerId));
}

/** The identity in a credential, or undefined when it is malformed. Says nothing about its MACs. */
export function readIdentity(bytes: Uint8Array): MemberIdentity | undefined {
  if (bytes.length <= HEADER_BYTES || MAGIC.some((byte, index) => bytes[index] !== byte) || bytes[MAGIC.length] > 1) return undefined;
  return { e2ee: bytes[MAGIC.length] === 1, peerId: new TextDecoder().decode(bytes.subarray(HEADER_BYTES)) };
}

/**
 * Whether a credential's identity was made for this signature key by a
 * holder of the meeting's link (`admission`), or of its current link
 * (`joining`: checked only when a newcomer is added).
 */
export async function verifyIdentity(
  key: CryptoKey,
  which: 'admission' | 'joining',
  bytes: Uint8Array,
  signaturePublicKey: Uint8Array,
): Promise<boolean> {
  const identity = readIdentity(bytes);
  if (!identity) return false;
  const at = MAGIC.length + 1 + (which === 'admission' ? 0 : MAC_BYTES);
  return crypto.subtle.verify('HMAC', key, bytes.slice(at, at + MAC_BYTES), macInput(identity, signaturePublicKey));
}

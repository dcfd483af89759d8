import { concat, utf8 } from './bytes';

/**
 * Every key Raum derives, in one place. HKDF-SHA-256 throughout; the labels
 * keep keys for different purposes apart. Usable in the page and the worker.
 */

const subtle = () => crypto.subtle;

async function hkdfBits(material: BufferSource, salt: BufferSource, info: string, bits = 256): Promise<Uint8Array<ArrayBuffer>> {
  const base = await subtle().importKey('raw', material, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8(info) }, base, bits));
}

async function aesKey(bytes: BufferSource, usages: KeyUsage[]): Promise<CryptoKey> {
  return subtle().importKey('raw', bytes, { name: 'AES-GCM' }, false, usages);
}

/** Authenticates the participants' public keys: only holders of the link's secret have it. */
export async function deriveAuthKey(roomSecret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const bits = await hkdfBits(roomSecret, new Uint8Array(), 'raum/v1 announce');
  return subtle().importKey('raw', bits, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/**
 * The key two participants share: their ECDH secret, salted with the room
 * secret (so a server that swapped public keys still lacks it), bound to
 * both peer ids.
 */
export async function derivePairKey(
  ecdhBits: ArrayBuffer,
  roomSecret: Uint8Array<ArrayBuffer>,
  peerA: string,
  peerB: string,
): Promise<CryptoKey> {
  const [first, second] = [peerA, peerB].sort();
  return aesKey(await hkdfBits(ecdhBits, roomSecret, `raum/v1 pair ${first} ${second}`), ['encrypt', 'decrypt']);
}

/** A sender's media key material; new random material on every leave. */
export function newMaterial(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** One ratchet step: anyone with the material can step forward, nobody back. */
export function ratchet(material: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return hkdfBits(material, new Uint8Array(), 'raum/v1 ratchet');
}

export async function deriveFrameKey(material: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return aesKey(await hkdfBits(material, new Uint8Array(), 'raum/v1 frame'), ['encrypt', 'decrypt']);
}

export async function deriveChatKey(material: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return aesKey(await hkdfBits(material, new Uint8Array(), 'raum/v1 chat'), ['encrypt', 'decrypt']);
}

/** Additional authenticated data that binds a ciphertext to its purpose and parties. */
export function context(label: string, ...parties: string[]): Uint8Array<ArrayBuffer> {
  return concat(utf8(`raum/v1 ${label}`), ...parties.map((party) => utf8(`\u0000${party}`)));
}

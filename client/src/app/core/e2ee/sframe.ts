import { concat, hkdf, utf8 } from './bytes';

/**
 * Media frames in SFrame form (RFC 9605), cipher suite AES_128_GCM_SHA256_128:
 *
 *   codec header (clear) ‖ SFrame header (config ‖ KID ‖ CTR) ‖ ciphertext ‖ 16-byte tag
 *
 * - The codec header stays in clear, first, so the depacketiser and the SFU
 *   still read the frame (see clearBytes); with the SFrame header it is the
 *   AEAD's additional data, so neither can be changed.
 * - KID names the key: the MLS epoch (low 16 bits) and the sender's leaf.
 * - CTR counts every frame a sender encrypts under one KID, across all its
 *   streams; the nonce is the key's salt XOR CTR, so it never repeats.
 * - Within an epoch a sender's key ratchets forward every 2^16 frames
 *   (the generation is CTR >> 16): keys of past generations are deleted.
 */

export const SUITE_ID = 0x0004;
export const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
/** RFC 9605 extracts with an empty salt. */
const NO_SALT = new Uint8Array();
export const GENERATION_FRAMES = 2 ** 16;
/** How many counters back a receiver still accepts a frame it has not seen. */
export const REPLAY_WINDOW = 1024;

export type MediaCodec = 'opus' | 'vp8';

export interface FrameLayout {
  readonly codec: MediaCodec;
  readonly keyFrame: boolean;
}

/**
 * The bytes at the start of a frame that stay in clear: VP8's payload
 * header (10 bytes on key frames, 3 on delta frames) and Opus's TOC byte.
 * H.264 (NAL headers) and AV1 (OBU headers) need layouts of their own and
 * are not negotiated in encrypted rooms until they have one.
 */
export function clearBytes({ codec, keyFrame }: FrameLayout): number {
  if (codec === 'opus') return 1;
  return keyFrame ? 10 : 3;
}

/** KID for an epoch and a sender's leaf. */
export function keyId(epoch: number, leaf: number): number {
  return (epoch % 0x10000) * 0x10000 + (leaf & 0xffff);
}

export function epochOfKeyId(kid: number): number {
  return Math.floor(kid / 0x10000);
}

export function leafOfKeyId(kid: number): number {
  return kid % 0x10000;
}

function byteLength(value: number): number {
  let length = 1;
  while (value >= 2 ** (8 * length)) length++;
  return length;
}

function writeUint(out: Uint8Array, offset: number, value: number, length: number): void {
  for (let index = length - 1; index >= 0; index--) {
    out[offset + index] = value % 256;
    value = Math.floor(value / 256);
  }
}

function readUint(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let index = 0; index < length; index++) value = value * 256 + bytes[offset + index];
  return value;
}

/** RFC 9605 §4.3: values under 8 sit in the config byte; longer ones follow it, KID first. */
export function encodeHeader(kid: number, ctr: number): Uint8Array<ArrayBuffer> {
  const kidLength = kid < 8 ? 0 : byteLength(kid);
  const ctrLength = ctr < 8 ? 0 : byteLength(ctr);
  const out = new Uint8Array(1 + kidLength + ctrLength);
  const kidBits = kidLength ? 0x80 | ((kidLength - 1) << 4) : kid << 4;
  const ctrBits = ctrLength ? 0x08 | (ctrLength - 1) : ctr;
  out[0] = kidBits | ctrBits;
  if (kidLength) writeUint(out, 1, kid, kidLength);
  if (ctrLength) writeUint(out, 1 + kidLength, ctr, ctrLength);
  return out;
}

export interface Header {
  readonly kid: number;
  readonly ctr: number;
  readonly length: number;
}

export function decodeHeader(bytes: Uint8Array, offset: number): Header | undefined {
  if (offset >= bytes.length) return undefined;
  const config = bytes[offset];
  const kidLength = config & 0x80 ? ((config >> 4) & 0x07) + 1 : 0;
  const ctrLength = config & 0x08 ? (config & 0x07) + 1 : 0;
  const length = 1 + kidLength + ctrLength;
  // Values above 2^53 cannot be ours: we never write more than 6 bytes.
  if (kidLength > 6 || ctrLength > 6 || offset + length > bytes.length) return undefined;
  const kid = kidLength ? readUint(bytes, offset + 1, kidLength) : (config >> 4) & 0x07;
  const ctr = ctrLength ? readUint(bytes, offset + 1 + kidLength, ctrLength) : config & 0x07;
  return { kid, ctr, length };
}

function kidAndSuite(kid: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(10);
  writeUint(out, 0, kid, 8);
  writeUint(out, 8, SUITE_ID, 2);
  return out;
}

/** One generation of one sender's key: the AES key and the nonce salt. */
export interface FrameKey {
  readonly kid: number;
  readonly generation: number;
  readonly key: CryptoKey;
  readonly salt: Uint8Array<ArrayBuffer>;
}

/** RFC 9605 §4.4.2, from a generation's base secret. */
export async function deriveFrameKey(base: Uint8Array<ArrayBuffer>, kid: number, generation: number): Promise<FrameKey> {
  const suffix = kidAndSuite(kid);
  const [keyBytes, salt] = await Promise.all([
    hkdf(base, NO_SALT, concat(utf8('SFrame 1.0 Secret key '), suffix), 16),
    hkdf(base, NO_SALT, concat(utf8('SFrame 1.0 Secret salt '), suffix), NONCE_LENGTH),
  ]);
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return { kid, generation, key, salt };
}

/** One step of a sender's hash ratchet within an epoch: forward only. */
export function ratchet(base: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return hkdf(base, NO_SALT, utf8('raum sframe ratchet'), 32);
}

function nonce(salt: Uint8Array, ctr: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(salt);
  const counter = new Uint8Array(NONCE_LENGTH);
  writeUint(counter, 4, ctr, 8);
  for (let index = 0; index < NONCE_LENGTH; index++) out[index] ^= counter[index];
  return out;
}

/**
 * How many generations a receiver ratchets forward for one frame: over two
 * hours of a sender's frames missed in one epoch. A CTR further ahead is
 * refused, so a forged one costs little work.
 */
export const MAX_GENERATIONS_AHEAD = 16;

/**
 * One sender's keys under one KID, as a sender or a receiver holds them:
 * the current generation and the one before (for late frames); the ratchet
 * moves only forward, and for a receiver only once a frame authenticated.
 */
export class KeyChain {
  #base: Uint8Array<ArrayBuffer>;
  #generation = 0;
  #current: Promise<FrameKey>;
  #previous: Promise<FrameKey> | undefined;

  constructor(
    readonly kid: number,
    secret: Uint8Array<ArrayBuffer>,
  ) {
    this.#base = secret;
    this.#current = deriveFrameKey(secret, kid, 0);
  }

  /** The key for a counter, moving the chain to its generation; undefined for a generation already deleted. */
  async forCounter(ctr: number): Promise<FrameKey | undefined> {
    const found = await this.lookup(ctr);
    found?.advance();
    return found?.key;
  }

  /**
   * The key for a counter without moving the chain: advance() moves it to the
   * key's generation (deleting older ones). Undefined for a generation already
   * deleted, or more than MAX_GENERATIONS_AHEAD ahead.
   */
  async lookup(ctr: number): Promise<{ readonly key: FrameKey; advance(): void } | undefined> {
    const generation = Math.floor(ctr / GENERATION_FRAMES);
    const [at, base, current, previous] = [this.#generation, this.#base, this.#current, this.#previous];
    const stay = () => undefined;
    if (generation === at) return { key: await current, advance: stay };
    if (generation === at - 1) {
      const key = await previous;
      return key && { key, advance: stay };
    }
    if (generation < at || generation - at > MAX_GENERATIONS_AHEAD) return undefined;
    let [nextBase, before, key] = [base, current, await current];
    while (key.generation < generation) {
      nextBase = await ratchet(nextBase);
      before = Promise.resolve(key);
      key = await deriveFrameKey(nextBase, this.kid, key.generation + 1);
    }
    const reached = key;
    return {
      key: reached,
      advance: () => {
        // Another frame may have moved the chain as far already.
        if (reached.generation <= this.#generation) return;
        [this.#generation, this.#base, this.#current, this.#previous] = [reached.generation, nextBase, Promise.resolve(reached), before];
      },
    };
  }
}

export async function encryptFrame(
  frame: Uint8Array<ArrayBuffer>,
  layout: FrameLayout,
  chain: KeyChain,
  ctr: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await chain.forCounter(ctr);
  if (!key) throw new Error('counter of a deleted generation');
  const clear = frame.subarray(0, Math.min(clearBytes(layout), frame.length));
  const header = encodeHeader(chain.kid, ctr);
  const additionalData = concat(header, clear);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce(key.salt, ctr), additionalData }, key.key, frame.subarray(clear.length)),
  );
  return concat(clear, header, sealed);
}

/** A frame's KID and CTR, read before any key is looked up. */
export function peekHeader(frame: Uint8Array, layout: FrameLayout): Header | undefined {
  const header = decodeHeader(frame, clearBytes(layout));
  return header && clearBytes(layout) + header.length + TAG_LENGTH <= frame.length ? header : undefined;
}

/** The frame in clear, or undefined when it does not authenticate under this chain. */
export async function decryptFrame(
  frame: Uint8Array<ArrayBuffer>,
  layout: FrameLayout,
  chain: KeyChain,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const clearLength = clearBytes(layout);
  const header = peekHeader(frame, layout);
  if (!header || header.kid !== chain.kid) return undefined;
  // The chain moves to a later generation only for a frame that authenticates: the header is not authentic before.
  const found = await chain.lookup(header.ctr);
  if (!found) return undefined;
  const clear = frame.subarray(0, clearLength);
  const additionalData = concat(frame.subarray(clearLength, clearLength + header.length), clear);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce(found.key.salt, header.ctr), additionalData },
      found.key.key,
      frame.subarray(clearLength + header.length),
    );
    found.advance();
    return concat(clear, new Uint8Array(plain));
  } catch {
    return undefined;
  }
}

/** Counters a receiver has accepted under one KID: each once, and none older than the window. */
export class ReplayWindow {
  #highest = -1;
  readonly #seen = new Uint8Array(REPLAY_WINDOW);

  /** Whether a frame with this counter may still be accepted. */
  allows(ctr: number): boolean {
    if (ctr > this.#highest) return true;
    if (ctr <= this.#highest - REPLAY_WINDOW) return false;
    return this.#seen[ctr % REPLAY_WINDOW] === 0;
  }

  /** Records an authenticated frame's counter. */
  accept(ctr: number): void {
    if (ctr > this.#highest) {
      // Slots between the old highest and the new one were not seen.
      for (let skipped = Math.max(this.#highest + 1, ctr - REPLAY_WINDOW + 1); skipped < ctr; skipped++)
        this.#seen[skipped % REPLAY_WINDOW] = 0;
      this.#highest = ctr;
    }
    this.#seen[ctr % REPLAY_WINDOW] = 1;
  }
}

import type { KeyRing, RingKey } from './key-ring';

/**
 * The encrypted frame format, for audio and video alike:
 *
 *   codec header (clear, authenticated) ‖ AES-GCM ciphertext + 16-byte tag ‖ IV (12) ‖ IV length (1) ‖ key index (1)
 *
 * The codec header stays in clear so the receiving depacketiser and the SFU
 * still understand the frame: VP8 key frames 10 bytes, delta frames 3, Opus
 * 1 (its TOC byte). Overhead: 30 bytes per frame.
 */

export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
export const TRAILER_LENGTH = IV_LENGTH + 2;
export const OVERHEAD = TAG_LENGTH + TRAILER_LENGTH;

export interface FrameInfo {
  readonly kind: 'audio' | 'video';
  readonly keyFrame: boolean;
}

export interface SenderFrameInfo extends FrameInfo {
  readonly ssrc: number;
  readonly timestamp: number;
}

export function clearBytes({ kind, keyFrame }: FrameInfo): number {
  if (kind === 'audio') return 1;
  return keyFrame ? 10 : 3;
}

/**
 * The IV: SSRC ‖ RTP timestamp ‖ a counter that the sender's cryptor never
 * repeats, so one key never sees one IV twice (audio and video, and each
 * simulcast layer, have their own SSRC).
 */
export function frameIv(ssrc: number, timestamp: number, counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_LENGTH);
  const view = new DataView(iv.buffer);
  view.setUint32(0, ssrc >>> 0);
  view.setUint32(4, timestamp >>> 0);
  view.setUint32(8, counter >>> 0);
  return iv;
}

export async function encryptFrame(data: ArrayBuffer, info: SenderFrameInfo, key: RingKey, counter: number): Promise<ArrayBuffer> {
  const frame = new Uint8Array(data);
  const clear = Math.min(clearBytes(info), frame.length);
  const header = frame.subarray(0, clear);
  const iv = frameIv(info.ssrc, info.timestamp, counter);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key.frameKey, frame.subarray(clear)),
  );
  const out = new Uint8Array(clear + sealed.length + TRAILER_LENGTH);
  out.set(header, 0);
  out.set(sealed, clear);
  out.set(iv, clear + sealed.length);
  out[out.length - 2] = IV_LENGTH;
  out[out.length - 1] = key.index;
  return out.buffer;
}

export type Decrypted =
  { readonly ok: true; readonly data: ArrayBuffer } | { readonly ok: false; readonly reason: 'malformed' | 'no-key' | 'rejected' };

async function open(frame: Uint8Array<ArrayBuffer>, clear: number, key: RingKey): Promise<ArrayBuffer | undefined> {
  const header = frame.subarray(0, clear);
  const iv = frame.subarray(frame.length - TRAILER_LENGTH, frame.length - 2);
  const sealed = frame.subarray(clear, frame.length - TRAILER_LENGTH);
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key.frameKey, sealed));
    const out = new Uint8Array(clear + plain.length);
    out.set(header, 0);
    out.set(plain, clear);
    return out.buffer;
  } catch {
    return undefined;
  }
}

/**
 * Decrypts with the sender's key at the frame's index; a key the ring does
 * not hold yet is ratcheted from the newest, within the window, and kept
 * only if the frame authenticates with it.
 */
export async function decryptFrame(data: ArrayBuffer, info: FrameInfo, ring: KeyRing): Promise<Decrypted> {
  const frame = new Uint8Array(data);
  const clear = clearBytes(info);
  if (frame.length < clear + OVERHEAD || frame[frame.length - 2] !== IV_LENGTH) return { ok: false, reason: 'malformed' };
  const index = frame[frame.length - 1];
  const known = ring.get(index);
  if (known) {
    const plain = await open(frame, clear, known);
    if (plain) return { ok: true, data: plain };
  }
  const candidate = await ring.candidate(index);
  if (!candidate) return { ok: false, reason: known ? 'rejected' : 'no-key' };
  const plain = await open(frame, clear, candidate);
  if (!plain) return { ok: false, reason: 'rejected' };
  ring.accept(candidate);
  return { ok: true, data: plain };
}

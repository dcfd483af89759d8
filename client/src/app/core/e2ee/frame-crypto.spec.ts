import { decryptFrame, encryptFrame, IV_LENGTH, OVERHEAD, TRAILER_LENGTH, type SenderFrameInfo } from './frame-crypto';
import { KeyRing, RATCHET_WINDOW } from './key-ring';
import { newMaterial } from './key-schedule';

function frame(length: number, fill = 7): ArrayBuffer {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + fill) & 0xff).buffer;
}

const VIDEO_KEY: SenderFrameInfo = { kind: 'video', keyFrame: true, ssrc: 1234, timestamp: 90_000 };
const VIDEO_DELTA: SenderFrameInfo = { ...VIDEO_KEY, keyFrame: false };
const AUDIO: SenderFrameInfo = { kind: 'audio', keyFrame: false, ssrc: 999, timestamp: 48_000 };

async function ringWithKey(material = newMaterial(), index = 0): Promise<KeyRing> {
  const ring = new KeyRing();
  await ring.set(index, material);
  return ring;
}

describe('frame encryption', () => {
  it('round-trips key, delta and audio frames, leaving exactly the codec header in clear', async () => {
    const sender = await ringWithKey();
    const receiver = await ringWithKey(sender.newest!.material);
    for (const [info, clear] of [
      [VIDEO_KEY, 10],
      [VIDEO_DELTA, 3],
      [AUDIO, 1],
    ] as const) {
      const plain = frame(500);
      const sealed = await encryptFrame(plain, info, sender.newest!, 1);
      expect(sealed.byteLength).toBe(500 + OVERHEAD);
      expect(OVERHEAD).toBe(30);
      const bytes = new Uint8Array(sealed);
      expect(bytes.subarray(0, clear)).toEqual(new Uint8Array(plain).subarray(0, clear));
      expect(bytes.subarray(clear, clear + 16)).not.toEqual(new Uint8Array(plain).subarray(clear, clear + 16));
      expect(bytes[bytes.length - 2]).toBe(IV_LENGTH);
      expect(bytes[bytes.length - 1]).toBe(0);
      const opened = await decryptFrame(sealed, info, receiver);
      expect(opened.ok).toBeTrue();
      if (opened.ok) expect(new Uint8Array(opened.data)).toEqual(new Uint8Array(plain));
    }
  });

  it('rejects a frame with any byte changed: header, ciphertext or IV', async () => {
    const ring = await ringWithKey();
    const sealed = new Uint8Array(await encryptFrame(frame(200), VIDEO_DELTA, ring.newest!, 5));
    for (const position of [0, 2, 3, 100, sealed.length - TRAILER_LENGTH]) {
      const tampered = sealed.slice();
      tampered[position] ^= 0x01;
      const result = await decryptFrame(tampered.buffer, VIDEO_DELTA, ring);
      expect(result.ok).withContext(`byte ${position}`).toBeFalse();
    }
  });

  it('rejects a frame under a wrong key, and malformed frames', async () => {
    const sender = await ringWithKey();
    const stranger = await ringWithKey();
    const sealed = await encryptFrame(frame(100), AUDIO, sender.newest!, 0);
    expect(await decryptFrame(sealed, AUDIO, stranger)).toEqual({ ok: false, reason: 'rejected' });
    expect(await decryptFrame(frame(10), AUDIO, sender)).toEqual({ ok: false, reason: 'malformed' });
    expect(await decryptFrame(sealed, AUDIO, new KeyRing())).toEqual({ ok: false, reason: 'no-key' });
  });

  it('catches up with a sender that ratcheted, within the window', async () => {
    const sender = await ringWithKey();
    const receiver = await ringWithKey(sender.newest!.material);
    for (let step = 0; step < RATCHET_WINDOW; step++) await sender.advance();
    const sealed = await encryptFrame(frame(300), VIDEO_DELTA, sender.newest!, 0);
    const opened = await decryptFrame(sealed, VIDEO_DELTA, receiver);
    expect(opened.ok).toBeTrue();
    expect(receiver.newest!.index).toBe(RATCHET_WINDOW);
    // Late frames under the older key still decrypt while it is on the ring.
    const late = await encryptFrame(frame(300), VIDEO_DELTA, (await ringWithKey(receiver.get(0)!.material)).newest!, 1);
    expect((await decryptFrame(late, VIDEO_DELTA, receiver)).ok).toBeTrue();
  });

  it('refuses to ratchet beyond the window', async () => {
    const sender = await ringWithKey();
    const receiver = await ringWithKey(sender.newest!.material);
    for (let step = 0; step <= RATCHET_WINDOW; step++) await sender.advance();
    const sealed = await encryptFrame(frame(300), VIDEO_DELTA, sender.newest!, 0);
    expect(await decryptFrame(sealed, VIDEO_DELTA, receiver)).toEqual({ ok: false, reason: 'no-key' });
    expect(receiver.newest!.index).toBe(0);
  });

  it('cannot go back: a ratcheted key does not open frames of the key before it', async () => {
    const sender = await ringWithKey();
    const old = await encryptFrame(frame(100), AUDIO, sender.newest!, 0);
    const next = await sender.advance();
    const newcomer = await ringWithKey(next.material, next.index);
    expect((await decryptFrame(old, AUDIO, newcomer)).ok).toBeFalse();
  });

  it('never uses one IV twice under one key, even for equal timestamps', async () => {
    const ring = await ringWithKey();
    const seen = new Set<string>();
    for (let counter = 0; counter < 500; counter++) {
      for (const info of [VIDEO_KEY, { ...VIDEO_DELTA, ssrc: 5678 }, AUDIO]) {
        const bytes = new Uint8Array(await encryptFrame(frame(20), info, ring.newest!, counter));
        seen.add(bytes.slice(bytes.length - TRAILER_LENGTH, bytes.length - 2).join(','));
      }
    }
    expect(seen.size).toBe(1500);
  });
});

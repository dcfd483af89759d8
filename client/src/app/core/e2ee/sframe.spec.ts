import { concat } from './bytes';
import {
  clearBytes,
  decodeHeader,
  decryptFrame,
  deriveFrameKey,
  encodeHeader,
  encryptFrame,
  epochOfKeyId,
  GENERATION_FRAMES,
  KeyChain,
  keyId,
  MAX_GENERATIONS_AHEAD,
  leafOfKeyId,
  peekHeader,
  ratchet,
  REPLAY_WINDOW,
  ReplayWindow,
  TAG_LENGTH,
  type FrameLayout,
} from './sframe';

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string) => new Uint8Array(text.match(/../g)!.map((pair) => parseInt(pair, 16)));
const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));

const OPUS: FrameLayout = { codec: 'opus', keyFrame: false };
const VP8_KEY: FrameLayout = { codec: 'vp8', keyFrame: true };
const VP8_DELTA: FrameLayout = { codec: 'vp8', keyFrame: false };

/** A sender's and a receiver's chain for one KID, from the same frame secret. */
function chains(kid: number, secret = random(32)) {
  return { secret, sender: new KeyChain(kid, secret), receiver: new KeyChain(kid, secret) };
}

describe('SFrame header (RFC 9605 §4.3)', () => {
  // From the RFC's header test vectors (Appendix C.1), within the 48 bits this code writes.
  const VECTORS: Array<[kid: number, ctr: number, header: string]> = [
    [0, 0, '00'],
    [0, 1, '01'],
    [0, 0xff, '08ff'],
    [0, 0x100, '090100'],
    [0, 0xffff, '09ffff'],
    [0, 0x10000, '0a010000'],
    [1, 0, '10'],
    [1, 1, '11'],
    [1, 0xff, '18ff'],
    [0xff, 0, '80ff'],
    [0xff, 1, '81ff'],
    [0xff, 0xff, '88ffff'],
    [0xff, 0x100, '89ff0100'],
    [0x100, 0, '900100'],
    [0x100, 0x100, '9901000100'],
    [0xffff, 0xffff, '99ffffffff'],
    [0x10000, 0, 'a0010000'],
    [0x10000, 0x100, 'a90100000100'],
    [0xffffff, 0xffffff, 'aaffffffffffff'],
    [0x100000000, 0, 'c00100000000'],
    [0xffffffffffff, 0xffffffffffff, 'ddffffffffffffffffffffffff'],
  ];

  it('encodes and decodes the RFC’s test vectors', () => {
    for (const [kid, ctr, header] of VECTORS) {
      const context = `kid ${kid.toString(16)}, ctr ${ctr.toString(16)}`;
      expect(hex(encodeHeader(kid, ctr)))
        .withContext(context)
        .toBe(header);
      expect(decodeHeader(fromHex(header), 0))
        .withContext(context)
        .toEqual({ kid, ctr, length: header.length / 2 });
    }
  });

  it('keeps values under 8 in the config byte, and writes longer ones KID first in the fewest bytes', () => {
    expect([...encodeHeader(0, 0)]).toEqual([0x00]);
    expect([...encodeHeader(7, 7)]).toEqual([0x77]);
    expect([...encodeHeader(7, 0)]).toEqual([0x70]);
    expect([...encodeHeader(0, 7)]).toEqual([0x07]);
    expect([...encodeHeader(8, 8)]).toEqual([0x88, 0x08, 0x08]);
    // X=1, K=2 (3 bytes of KID); Y=1, C=1 (2 bytes of CTR): 1010 1001.
    expect([...encodeHeader(0x12345, 0x100)]).toEqual([0xa9, 0x01, 0x23, 0x45, 0x01, 0x00]);
    for (let kid = 0; kid < 8; kid++) {
      for (let ctr = 0; ctr < 8; ctr++) {
        const header = encodeHeader(kid, ctr);
        expect(header.length).toBe(1);
        expect(decodeHeader(header, 0)).toEqual({ kid, ctr, length: 1 });
      }
    }
  });

  it('round-trips small and large values, at any offset', () => {
    const values = [0, 1, 7, 8, 0xff, 0x100, 0xffff, 0x10000, 0x12345, 0xffffff, 0x1000000, 0xffffffff, 2 ** 40 + 3, 2 ** 48 - 1];
    for (const kid of values) {
      for (const ctr of values) {
        const header = encodeHeader(kid, ctr);
        const framed = concat(random(3), header, random(20));
        expect(decodeHeader(framed, 3)).withContext(`${kid} ${ctr}`).toEqual({ kid, ctr, length: header.length });
      }
    }
  });

  it('refuses truncated headers and lengths this code never writes', () => {
    expect(decodeHeader(fromHex('a90100000100'), 0)).toBeDefined();
    expect(decodeHeader(fromHex('a901000001'), 0))
      .withContext('CTR cut short')
      .toBeUndefined();
    expect(decodeHeader(fromHex('a0'), 0))
      .withContext('KID missing')
      .toBeUndefined();
    expect(decodeHeader(new Uint8Array(), 0)).toBeUndefined();
    expect(decodeHeader(fromHex('00'), 1)).toBeUndefined();
    expect(decodeHeader(fromHex('e00100000000000000'), 0))
      .withContext('7-byte KID')
      .toBeUndefined();
    expect(decodeHeader(fromHex('0f0100000000000000'), 0))
      .withContext('8-byte CTR')
      .toBeUndefined();
  });

  it('names a key by epoch (low 16 bits) and leaf', () => {
    expect(keyId(0, 0)).toBe(0);
    expect(keyId(0, 5)).toBe(5);
    expect(keyId(1, 0)).toBe(0x10000);
    expect(keyId(3, 2)).toBe(0x30002);
    expect(keyId(0x12345, 0x7)).withContext('epochs wrap at 2^16').toBe(0x23450007);
    for (const [epoch, leaf] of [
      [0, 0],
      [1, 49],
      [300, 2],
      [0xffff, 0xffff],
    ]) {
      const kid = keyId(epoch, leaf);
      expect([epochOfKeyId(kid), leafOfKeyId(kid)]).toEqual([epoch, leaf]);
    }
  });
});

describe('SFrame frames (AES_128_GCM_SHA256_128)', () => {
  it('derives key and salt, and seals, as RFC 9605’s test vector for cipher suite 0x0004', async () => {
    const base = fromHex('000102030405060708090a0b0c0d0e0f');
    const key = await deriveFrameKey(base, 0x123, 0);
    expect(hex(key.salt)).toBe('75234edefe07819026751816');
    const header = encodeHeader(0x123, 0x4567);
    expect(hex(header)).toBe('9901234567');
    const metadata = fromHex('4945544620534672616d65205747');
    const plaintext = fromHex('64726166742d696574662d736672616d652d656e63');
    const expected = '9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb';
    // The RFC's nonce is the salt XOR CTR; its AAD is the header and the metadata.
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: fromHex('75234edefe07819026755d71'), additionalData: concat(header, metadata) },
      key.key,
      plaintext,
    );
    expect(hex(header) + hex(new Uint8Array(sealed))).toBe(expected);

    // encryptFrame does the same with the codec's clear bytes as the metadata: here Opus's one TOC byte.
    const toc = 0xfc;
    const frame = concat(new Uint8Array([toc]), plaintext);
    const encrypted = await encryptFrame(frame, OPUS, new KeyChain(0x123, base), 0x4567);
    const reference = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: fromHex('75234edefe07819026755d71'), additionalData: concat(header, new Uint8Array([toc])) },
      key.key,
      plaintext,
    );
    expect(hex(encrypted)).toBe('fc' + hex(header) + hex(new Uint8Array(reference)));
  });

  const FRAMES: Array<[name: string, layout: FrameLayout, length: number]> = [
    ['VP8 key frame', VP8_KEY, 1400],
    ['VP8 delta frame', VP8_DELTA, 300],
    ['Opus frame', OPUS, 80],
  ];

  for (const [name, layout, length] of FRAMES) {
    it(`round-trips a ${name}, its codec header in clear and byte-identical`, async () => {
      const kid = keyId(3, 2);
      const { sender, receiver } = chains(kid);
      const frame = random(length);
      const clear = clearBytes(layout);
      for (const ctr of [0, 7, 300, 70_000]) {
        const encrypted = await encryptFrame(frame, layout, sender, ctr);
        const header = encodeHeader(kid, ctr);
        expect(encrypted.length).toBe(length + header.length + TAG_LENGTH);
        expect(encrypted.subarray(0, clear)).withContext('clear codec bytes first').toEqual(frame.subarray(0, clear));
        expect(encrypted.subarray(clear, clear + header.length))
          .withContext('then the SFrame header')
          .toEqual(header);
        expect(peekHeader(encrypted, layout)).toEqual({ kid, ctr, length: header.length });
        const body = encrypted.subarray(clear + header.length, clear + header.length + length - clear);
        expect(hex(body))
          .withContext('the rest is encrypted')
          .not.toBe(hex(frame.subarray(clear)));
        const decrypted = await decryptFrame(encrypted, layout, receiver);
        expect(decrypted).withContext(`ctr ${ctr}`).toEqual(frame);
      }
    });
  }

  it('refuses a frame with any byte changed: clear codec header, SFrame header, ciphertext or tag', async () => {
    for (const [layout, length, ctr] of [
      [VP8_KEY, 40, 300],
      [VP8_DELTA, 24, 5],
      [OPUS, 20, 70_000],
    ] as const) {
      const kid = keyId(3, 2);
      const { sender, receiver } = chains(kid);
      const frame = random(length);
      const encrypted = await encryptFrame(frame, layout, sender, ctr);
      const clear = clearBytes(layout);
      const headerLength = encodeHeader(kid, ctr).length;
      for (let position = 0; position < encrypted.length; position++) {
        const part =
          position < clear
            ? 'codec header'
            : position < clear + headerLength
              ? 'SFrame header'
              : position < encrypted.length - TAG_LENGTH
                ? 'ciphertext'
                : 'tag';
        for (const bit of [0x01, 0x80, 0x04]) {
          const altered = new Uint8Array(encrypted);
          altered[position] ^= bit;
          expect(await decryptFrame(altered, layout, receiver))
            .withContext(`${layout.codec}${layout.keyFrame ? ' key' : ''}: ${part}, byte ${position}, bit ${bit}`)
            .toBeUndefined();
        }
      }
      // Nothing of the above moved the receiver's chain: the genuine frame still opens.
      expect(await decryptFrame(encrypted, layout, receiver)).toEqual(frame);
    }
  });

  it('refuses a frame under another KID: another epoch, another leaf, or its header rewritten', async () => {
    const secret = random(32);
    const sender = new KeyChain(keyId(4, 1), secret);
    const frame = random(200);
    const encrypted = await encryptFrame(frame, VP8_DELTA, sender, 9);
    expect(await decryptFrame(encrypted, VP8_DELTA, new KeyChain(keyId(4, 1), secret))).toEqual(frame);
    expect(await decryptFrame(encrypted, VP8_DELTA, new KeyChain(keyId(5, 1), secret)))
      .withContext('next epoch')
      .toBeUndefined();
    expect(await decryptFrame(encrypted, VP8_DELTA, new KeyChain(keyId(4, 2), secret)))
      .withContext('another leaf')
      .toBeUndefined();
    expect(await decryptFrame(encrypted, VP8_DELTA, new KeyChain(keyId(4, 1), random(32))))
      .withContext('another secret')
      .toBeUndefined();
    // The same secret under the KID of the receiver's chain: keys derive from the KID, so it still fails.
    const rewritten = concat(
      encrypted.subarray(0, 3),
      encodeHeader(keyId(5, 1), 9),
      encrypted.subarray(3 + encodeHeader(keyId(4, 1), 9).length),
    );
    expect(peekHeader(rewritten, VP8_DELTA)?.kid).toBe(keyId(5, 1));
    expect(await decryptFrame(rewritten, VP8_DELTA, new KeyChain(keyId(5, 1), secret))).toBeUndefined();
  });

  it('never reuses a nonce: every CTR gives another ciphertext for the same frame', async () => {
    const { sender, receiver } = chains(keyId(1, 0));
    const frame = random(100);
    const bodies = new Set<string>();
    for (let ctr = 0; ctr < 40; ctr++) {
      const encrypted = await encryptFrame(frame, OPUS, sender, ctr);
      // The ciphertext without its tag: the tag covers the header, so only the nonce can make these differ.
      bodies.add(hex(encrypted.subarray(1 + encodeHeader(keyId(1, 0), ctr).length, encrypted.length - TAG_LENGTH)));
      expect(await decryptFrame(encrypted, OPUS, receiver)).toEqual(frame);
    }
    expect(bodies.size).toBe(40);
    // Two keys (two KIDs) from one secret differ too.
    const secret = random(32);
    const [one, two] = await Promise.all([deriveFrameKey(secret, 1, 0), deriveFrameKey(secret, 2, 0)]);
    expect(hex(one.salt)).not.toBe(hex(two.salt));
  });

  it('ratchets a sender’s key every 2^16 counters: a later generation decrypts, a deleted one does not', async () => {
    const kid = keyId(2, 3);
    const { secret, sender, receiver } = chains(kid);
    const frame = random(64);
    const early = await encryptFrame(frame, OPUS, sender, 5);
    const generation2 = await encryptFrame(frame, OPUS, sender, 2 * GENERATION_FRAMES + 5);
    // By hand: two ratchet steps, then RFC 9605's derivation under the same KID.
    const base2 = await ratchet(await ratchet(secret));
    const key2 = await deriveFrameKey(base2, kid, 2);
    expect((await sender.forCounter(2 * GENERATION_FRAMES))?.salt).toEqual(key2.salt);
    expect(hex(key2.salt)).not.toBe(hex((await deriveFrameKey(secret, kid, 0)).salt));

    expect(await decryptFrame(generation2, OPUS, receiver))
      .withContext('the receiver ratchets twice')
      .toEqual(frame);
    expect(await decryptFrame(early, OPUS, receiver))
      .withContext('generation 0 is two behind: deleted')
      .toBeUndefined();

    const generation3 = await encryptFrame(frame, OPUS, sender, 3 * GENERATION_FRAMES);
    expect(await decryptFrame(generation3, OPUS, receiver)).toEqual(frame);
    const lateGeneration2 = await encryptFrame(frame, OPUS, sender, 2 * GENERATION_FRAMES + 6);
    expect(await decryptFrame(lateGeneration2, OPUS, receiver))
      .withContext('one generation back is kept for late frames')
      .toEqual(frame);
    expect(await decryptFrame(early, OPUS, receiver)).toBeUndefined();
    expect(await receiver.forCounter(GENERATION_FRAMES)).toBeUndefined();
    await expectAsync(encryptFrame(frame, OPUS, sender, 10)).toBeRejectedWithError(/deleted generation/);
  });

  it('moves a receiver’s chain only for a frame that authenticates: a forged CTR far ahead changes nothing', async () => {
    const kid = keyId(2, 3);
    const { secret, sender, receiver } = chains(kid);
    const frame = random(64);
    const genuine = await encryptFrame(frame, OPUS, sender, 5);
    // Anyone on the path (the SFU) can write a header: the KID is in clear. Not the tag.
    for (const ctr of [3 * GENERATION_FRAMES, 2 ** 40, 2 ** 48 - 1]) {
      const forged = concat(genuine.subarray(0, 1), encodeHeader(kid, ctr), genuine.subarray(1 + encodeHeader(kid, 5).length));
      expect(peekHeader(forged, OPUS)?.ctr).toBe(ctr);
      expect(await decryptFrame(forged, OPUS, receiver))
        .withContext(`forged ctr ${ctr}`)
        .toBeUndefined();
    }
    expect(await decryptFrame(genuine, OPUS, receiver))
      .withContext('the sender’s frames still open')
      .toEqual(frame);
    // Ratcheting ahead is bounded, for genuine frames too: MAX_GENERATIONS_AHEAD at most.
    const stepping = new KeyChain(kid, secret);
    await stepping.forCounter(MAX_GENERATIONS_AHEAD * GENERATION_FRAMES);
    const tooFar = await encryptFrame(frame, OPUS, stepping, (MAX_GENERATIONS_AHEAD + 1) * GENERATION_FRAMES);
    expect(await decryptFrame(tooFar, OPUS, receiver)).toBeUndefined();
    const farthest = await encryptFrame(frame, OPUS, new KeyChain(kid, secret), MAX_GENERATIONS_AHEAD * GENERATION_FRAMES);
    expect(await decryptFrame(farthest, OPUS, receiver)).toEqual(frame);
  });
});

describe('ReplayWindow', () => {
  it('accepts each counter once', () => {
    const window = new ReplayWindow();
    for (let ctr = 0; ctr < 3000; ctr++) {
      expect(window.allows(ctr)).toBeTrue();
      window.accept(ctr);
      expect(window.allows(ctr)).withContext(`ctr ${ctr} again`).toBeFalse();
    }
    for (const ctr of [2999, 2500, 1977]) expect(window.allows(ctr)).toBeFalse();
    expect(window.allows(3000)).toBeTrue();
  });

  it('accepts counters out of order within the window, and refuses older ones', () => {
    const window = new ReplayWindow();
    window.accept(5000);
    expect(window.allows(5000 - REPLAY_WINDOW))
      .withContext('just outside')
      .toBeFalse();
    expect(window.allows(0)).toBeFalse();
    for (const ctr of [4999, 5000 - REPLAY_WINDOW + 1, 4500, 4000]) {
      expect(window.allows(ctr)).withContext(`ctr ${ctr}`).toBeTrue();
      window.accept(ctr);
      expect(window.allows(ctr)).toBeFalse();
    }
    expect(window.allows(4998)).toBeTrue();
    expect(window.allows(5001)).toBeTrue();
  });

  it('does not take a counter for a replay because an older one used its slot', () => {
    const window = new ReplayWindow();
    window.accept(3);
    window.accept(3 + REPLAY_WINDOW + 3);
    // 3 + REPLAY_WINDOW shares slot 3 with the old counter, but was never seen.
    expect(window.allows(3 + REPLAY_WINDOW)).toBeTrue();
    expect(window.allows(3)).toBeFalse();
    window.accept(10);
    const jumped = new ReplayWindow();
    jumped.accept(10);
    jumped.accept(10 + 5 * REPLAY_WINDOW);
    expect(jumped.allows(10 + 5 * REPLAY_WINDOW - 1)).toBeTrue();
    expect(jumped.allows(10 + 4 * REPLAY_WINDOW)).toBeFalse();
  });
});

describe('SFrame overhead', () => {
  it('adds the header and a 16-byte tag to every frame (printed for typical values)', async () => {
    const cases: Array<[label: string, epoch: number, leaf: number, ctr: number]> = [
      ['first frame of the first epoch', 0, 0, 0],
      ['epoch 3, leaf 2, after 1 s (CTR 140)', 3, 2, 140],
      ['epoch 3, leaf 2, after 1 min (CTR 8,400)', 3, 2, 8_400],
      ['epoch 3, leaf 2, after 1 h (CTR 504,000)', 3, 2, 504_000],
      ['epoch 300, leaf 49, after 1 h', 300, 49, 504_000],
    ];
    const lines = [];
    const { sender } = chains(0);
    for (const [label, epoch, leaf, ctr] of cases) {
      const kid = keyId(epoch, leaf);
      const chain = new KeyChain(kid, random(32));
      const frame = random(80);
      const overhead = (await encryptFrame(frame, OPUS, chain, ctr)).length - frame.length;
      expect(overhead).toBe(encodeHeader(kid, ctr).length + TAG_LENGTH);
      // Opus at 50 frames a second; VP8 at 30 (one layer).
      lines.push(
        `${label}: ${overhead} bytes a frame (${((overhead * 8 * 50) / 1000).toFixed(1)} kbit/s of Opus, ${((overhead * 8 * 30) / 1000).toFixed(1)} kbit/s a VP8 layer)`,
      );
    }
    expect((await encryptFrame(random(80), OPUS, sender, 0)).length - 80).toBe(17);
    expect(encodeHeader(keyId(3, 2), 8_400).length + TAG_LENGTH).toBe(22);
    console.log(
      `SFrame overhead (header + 16-byte tag; CTR at 140 frames a second: Opus 50 + three VP8 layers 30):\n  ${lines.join('\n  ')}`,
    );
  });
});

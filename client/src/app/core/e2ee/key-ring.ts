import { deriveChatKey, deriveFrameKey, ratchet } from './key-schedule';

/** Key indexes are one byte on the wire; 16 slots keep a few old keys for late frames. */
export const RING_SIZE = 16;
/** How many ratchet steps a receiver takes to catch up with a sender before giving up. */
export const RATCHET_WINDOW = 8;

export interface RingKey {
  readonly index: number;
  readonly material: Uint8Array<ArrayBuffer>;
  readonly frameKey: CryptoKey;
  readonly chatKey: CryptoKey;
}

async function ringKey(index: number, material: Uint8Array<ArrayBuffer>): Promise<RingKey> {
  const [frameKey, chatKey] = await Promise.all([deriveFrameKey(material), deriveChatKey(material)]);
  return { index, material, frameKey, chatKey };
}

/** Steps forward from `from` to `to` on the ring (0 when equal). */
export function distance(from: number, to: number): number {
  return (to - from + RING_SIZE) % RING_SIZE;
}

/**
 * One sender's keys, as a receiver (or the sender itself) knows them. Keys
 * come from key messages (set) or by ratcheting the newest one forward
 * (catchUp), never backward.
 */
export class KeyRing {
  readonly #slots = Array.from<RingKey | undefined>({ length: RING_SIZE });
  #newest: RingKey | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  get newest(): RingKey | undefined {
    return this.#newest;
  }

  get(index: number): RingKey | undefined {
    return this.#slots[index % RING_SIZE];
  }

  /** Installs a key; keys installed one after another become newest in that order. */
  set(index: number, material: Uint8Array<ArrayBuffer>): Promise<RingKey> {
    return this.serially(async () => this.install(await ringKey(index % RING_SIZE, material)));
  }

  /** The newest key, ratcheted one step, as the next index. */
  advance(): Promise<RingKey> {
    return this.serially(async () => {
      const newest = this.#newest;
      if (!newest) throw new Error('no key to ratchet');
      return this.install(await ringKey((newest.index + 1) % RING_SIZE, await ratchet(newest.material)));
    });
  }

  /**
   * Candidates for a frame or message at `index` that this ring does not hold:
   * the newest key ratcheted forward to that index, if within the window.
   * The caller keeps the candidate (accept) only once it decrypted something.
   */
  async candidate(index: number): Promise<RingKey | undefined> {
    const newest = this.#newest;
    if (!newest) return undefined;
    const steps = distance(newest.index, index);
    if (steps === 0 || steps > RATCHET_WINDOW) return undefined;
    let material = newest.material;
    for (let step = 0; step < steps; step++) material = await ratchet(material);
    return ringKey(index, material);
  }

  accept(key: RingKey): void {
    this.install(key);
  }

  private install(key: RingKey): RingKey {
    this.#slots[key.index] = key;
    this.#newest = key;
    return key;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

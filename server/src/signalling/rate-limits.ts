import { createHmac, randomBytes } from 'node:crypto';

/**
 * A token bucket: `burst` at once, refilled at `perSecond`. Enough to stop a
 * flood, far above what a person's browser sends.
 */
export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#updated = now();
  }

  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updated) / 1000) * this.perSecond);
    this.#updated = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * Keys for client addresses that are not the addresses: a hash under a
 * random salt that lives only in memory and is replaced every `rotateMs`.
 * After a rotation not even the keys can be linked to earlier ones.
 */
export class AddressKeys {
  #salt = randomBytes(32);
  #since: number;

  constructor(
    private readonly rotateMs = 60 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.#since = now();
  }

  /** The address's key; `rotated` when the salt was replaced just now, so that keys from before mean nothing any more. */
  of(address: string): { key: string; rotated: boolean } {
    const rotated = this.now() - this.#since >= this.rotateMs;
    if (rotated) {
      this.#salt = randomBytes(32);
      this.#since = this.now();
    }
    return { key: createHmac('sha256', this.#salt).update(address).digest('base64url').slice(0, 22), rotated };
  }
}

/**
 * Limits per client without knowing who the client is: the address is only
 * ever a salted key (AddressKeys), and every counter goes when the salt is
 * replaced. No address is kept, logged or written anywhere.
 */
export class ClientRateLimits {
  readonly #keys: AddressKeys;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    rotateMs?: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#keys = new AddressKeys(rotateMs, now);
  }

  /** Whether this client may go on; the address is only hashed, never stored. */
  allow(address: string): boolean {
    const { key, rotated } = this.#keys.of(address);
    if (rotated) this.#buckets.clear();
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(this.perSecond, this.burst, this.now)));
    return bucket.take();
  }

  /** The keys held right now (for tests: they must not contain addresses). */
  get keys(): string[] {
    return [...this.#buckets.keys()];
  }
}

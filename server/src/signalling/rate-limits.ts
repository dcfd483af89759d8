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
 * Limits per client without knowing who the client is: the address is hashed
 * with a random salt that lives only in memory and is replaced every
 * `rotateMs`, together with all counters. No address is kept, logged or
 * written anywhere; after a rotation not even the hashes can be linked.
 */
export class ClientRateLimits {
  #salt = randomBytes(32);
  #rotated: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly rotateMs = 60 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.#rotated = now();
  }

  /** Whether this client may go on; the address is only hashed, never stored. */
  allow(address: string): boolean {
    if (this.now() - this.#rotated >= this.rotateMs) this.rotate();
    const key = createHmac('sha256', this.#salt).update(address).digest('base64url').slice(0, 22);
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(this.perSecond, this.burst, this.now)));
    return bucket.take();
  }

  /** The keys held right now (for tests: they must not contain addresses). */
  get keys(): string[] {
    return [...this.#buckets.keys()];
  }

  private rotate(): void {
    this.#salt = randomBytes(32);
    this.#rotated = this.now();
    this.#buckets.clear();
  }
}

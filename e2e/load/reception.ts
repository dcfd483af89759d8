import type { RtpPacket } from 'werift';

/** What one received stream looked like: packets, loss from the sequence numbers, and RFC 3550 jitter. */
export interface StreamFigures {
  readonly kind: 'audio' | 'video';
  readonly received: number;
  /** Packets the sequence numbers say were sent and never arrived (never below 0: duplicates are not credit). */
  readonly lost: number;
  readonly jitterMs: number;
}

/**
 * Counts one incoming RTP stream as a receiver's report would (RFC 3550,
 * A.3 and A.8): the extended highest sequence number against the first
 * gives what was expected, and the interarrival jitter is smoothed over
 * the difference between arrival and RTP timestamp spacing.
 */
export class StreamReception {
  #received = 0;
  #first: number | undefined;
  #highest = 0;
  #jitter = 0;
  #lastTransit: number | undefined;

  constructor(
    readonly kind: 'audio' | 'video',
    private readonly clockRate: number,
  ) {}

  packet({ header }: RtpPacket, arrivalMs = performance.now()): void {
    this.#received++;
    if (this.#first === undefined) {
      this.#first = this.#highest = header.sequenceNumber;
    } else {
      // The signed 16-bit distance from the highest so far: a wrap moves on, a late packet does not move back.
      const distance = ((header.sequenceNumber - this.#highest) << 16) >> 16;
      this.#highest = Math.max(this.#highest, this.#highest + distance);
    }
    const transit = (arrivalMs * this.clockRate) / 1000 - header.timestamp;
    if (this.#lastTransit !== undefined) {
      const difference = Math.abs(transit - this.#lastTransit);
      // A timestamp wrap or a new key frame timeline is not jitter.
      if (difference < this.clockRate) this.#jitter += (difference - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  get figures(): StreamFigures {
    const expected = this.#first === undefined ? 0 : this.#highest - this.#first + 1;
    return {
      kind: this.kind,
      received: this.#received,
      lost: Math.max(0, expected - this.#received),
      jitterMs: (this.#jitter / this.clockRate) * 1000,
    };
  }
}

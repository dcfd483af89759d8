/** Messages between the page and the E2EE worker (e2ee.worker.ts). */

/** Options of one transform: which sender or receiver it serves. */
export interface TransformOptions {
  readonly id: string;
  readonly operation: 'encrypt' | 'decrypt';
  /** The peer id whose key encrypts (its own for senders, the remote one for receivers). */
  readonly participantId: string;
  readonly kind: 'audio' | 'video';
}

/**
 * encrypt: senders encrypt (false: they pass frames on as they are, in a
 * hop-by-hop room). strict: receivers drop every frame that does not
 * decrypt (false: they pass such frames on, in a hop-by-hop room).
 */
export interface Mode {
  readonly encrypt: boolean;
  readonly strict: boolean;
}

export type ToWorker =
  /** A participant's frame secret for one MLS epoch (its leaf's exporter output). */
  | {
      readonly type: 'key';
      readonly participantId: string;
      readonly epoch: number;
      readonly leaf: number;
      readonly secret: Uint8Array<ArrayBuffer>;
    }
  | { readonly type: 'forget'; readonly participantId: string }
  | { readonly type: 'mode'; readonly mode: Mode }
  | { readonly type: 'streams'; readonly options: TransformOptions; readonly readable: ReadableStream; readonly writable: WritableStream }
  | { readonly type: 'stats' };

/** What one transform did since it started. */
export interface TransformStats extends TransformOptions {
  /** Frames encrypted or decrypted. */
  frames: number;
  /** Frames passed on unchanged (hop-by-hop rooms only). */
  passthrough: number;
  /** Frames dropped: no key yet, not authentic, or replayed. */
  dropped: number;
}

/** Milliseconds spent in the cipher per frame: the latest ones (bounded), in no particular order. */
export interface Timings {
  encrypt: { audio: number[]; video: number[] };
  decrypt: { audio: number[]; video: number[] };
}

export type FromWorker = { readonly type: 'stats'; readonly transforms: TransformStats[]; readonly timings: Timings };

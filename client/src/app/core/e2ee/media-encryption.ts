import { watchWorker, WorkerGone } from './worker-watch';
import type { FromWorker, Mode, ToWorker, TransformOptions, TransformStats, Timings } from './worker-protocol';

export type TransformApi = 'script-transform' | 'encoded-streams';

/** Which encoded-transform API this browser has, if any: without one it cannot encrypt media end to end. */
export function encodedTransformApi(): TransformApi | undefined {
  if (typeof Worker === 'undefined') return undefined;
  if (typeof RTCRtpScriptTransform !== 'undefined') return 'script-transform';
  if (typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype) return 'encoded-streams';
  return undefined;
}

type StatsReply = { transforms: TransformStats[]; timings: Timings };

type WithEncodedStreams = { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };

/**
 * The page's handle on the E2EE media worker: hands it each epoch's frame
 * secrets and the room's mode, attaches its transforms to senders and
 * receivers, and reads its counters (which the badge relies on: attaching a
 * transform proves nothing by itself).
 */
export class MediaEncryption {
  readonly #worker = new Worker(new URL('./e2ee.worker', import.meta.url), { type: 'module', name: 'raum-e2ee' });
  /** Who waits for the worker's counters. */
  readonly #asking = new Set<{ resolve: (stats: StatsReply) => void; reject: (error: Error) => void }>();
  readonly #sent = watchWorker(
    this.#worker,
    () => this.#asking.size > 0,
    () => this.fail(),
  );
  #gone: WorkerGone | undefined;
  #nextId = 0;

  constructor(private readonly api: TransformApi) {
    this.#worker.addEventListener('message', ({ data }: MessageEvent<FromWorker>) => {
      for (const asking of this.#asking) asking.resolve({ transforms: data.transforms, timings: data.timings });
      this.#asking.clear();
    });
  }

  /** Resolves once the worker runs (its code loaded); rejects with WorkerGone when it does not. */
  async started(): Promise<void> {
    await this.stats();
  }

  /** A participant's frame secret for an MLS epoch (for its leaf). */
  setKey(participantId: string, epoch: number, leaf: number, secret: Uint8Array<ArrayBuffer>): void {
    this.post({ type: 'key', participantId, epoch, leaf, secret });
  }

  forget(participantId: string): void {
    this.post({ type: 'forget', participantId });
  }

  setMode(mode: Mode): void {
    this.post({ type: 'mode', mode });
  }

  encryptSender(sender: RTCRtpSender, participantId: string, kind: 'audio' | 'video'): string {
    return this.attach(sender, { operation: 'encrypt', participantId, kind });
  }

  decryptReceiver(receiver: RTCRtpReceiver, participantId: string, kind: 'audio' | 'video'): string {
    return this.attach(receiver, { operation: 'decrypt', participantId, kind });
  }

  /** What every live transform has done so far, and the cipher's time per frame. */
  stats(): Promise<StatsReply> {
    return new Promise((resolve, reject) => {
      if (this.#gone) return reject(this.#gone);
      this.#asking.add({ resolve, reject });
      this.post({ type: 'stats' });
      this.#sent();
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }

  private attach(target: RTCRtpSender | RTCRtpReceiver, partial: Omit<TransformOptions, 'id'>): string {
    const options: TransformOptions = { id: `t${this.#nextId++}`, ...partial };
    if (this.api === 'script-transform') {
      target.transform = new RTCRtpScriptTransform(this.#worker, options);
    } else {
      const { readable, writable } = (target as unknown as WithEncodedStreams).createEncodedStreams();
      this.#worker.postMessage({ type: 'streams', options, readable, writable } satisfies ToWorker, [readable, writable]);
    }
    return options.id;
  }

  private fail(): void {
    this.#gone = new WorkerGone('media encryption');
    for (const asking of this.#asking) asking.reject(this.#gone);
    this.#asking.clear();
  }

  private post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }
}

/// <reference lib="webworker" />
// The E2EE worker: encrypts every outgoing and decrypts every incoming media
// frame of this page, off the main thread. Keys arrive from the page
// (E2eeSession); the worker only ratchets them forward, as frames require.
import { decryptFrame, encryptFrame } from './frame-crypto';
import { KeyRing } from './key-ring';
import type { FromWorker, Mode, Timings, ToWorker, TransformOptions, TransformStats } from './worker-protocol';

declare const self: DedicatedWorkerGlobalScope & { onrtctransform: ((event: RTCTransformEvent) => void) | null };

const TIMING_SAMPLES = 2000;
/** How often the page is asked, at most, to fetch a sender's current key. */
const KEY_REQUEST_INTERVAL_MS = 2000;
const keyRequested = new Map<string, number>();
const rings = new Map<string, KeyRing>();
const transforms = new Map<string, TransformStats>();
const timings: Timings = { encrypt: { audio: [], video: [] }, decrypt: { audio: [], video: [] } };
const nextSlot = new Map<number[], number>();
let mode: Mode = { encrypt: true, strict: true };

function ring(participantId: string): KeyRing {
  let found = rings.get(participantId);
  if (!found) rings.set(participantId, (found = new KeyRing()));
  return found;
}

/** Keeps the latest TIMING_SAMPLES durations, overwriting the oldest: constant work per frame. */
function record(samples: number[], started: number): void {
  const slot = nextSlot.get(samples) ?? 0;
  samples[slot] = performance.now() - started;
  nextSlot.set(samples, (slot + 1) % TIMING_SAMPLES);
}

type EncodedFrame = RTCEncodedVideoFrame | RTCEncodedAudioFrame;

function isKeyFrame(frame: EncodedFrame): boolean {
  return 'type' in frame && frame.type === 'key';
}

function pipe(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, options: TransformOptions): void {
  const stats: TransformStats = { ...options, frames: 0, passthrough: 0, dropped: 0 };
  transforms.set(options.id, stats);
  let counter = 0;
  const encrypt = async (frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>) => {
    if (!mode.encrypt) {
      stats.passthrough++;
      controller.enqueue(frame);
      return;
    }
    const key = rings.get(options.participantId)?.newest;
    // Without a key nothing leaves: an unencrypted frame must never be sent in an E2EE room.
    if (!key) {
      stats.dropped++;
      return;
    }
    const metadata = frame.getMetadata();
    const timestamp = (metadata as { rtpTimestamp?: number }).rtpTimestamp ?? frame.timestamp;
    const started = performance.now();
    frame.data = await encryptFrame(
      frame.data,
      { kind: options.kind, keyFrame: isKeyFrame(frame), ssrc: metadata.synchronizationSource ?? 0, timestamp },
      key,
      counter++,
    );
    record(timings.encrypt[options.kind], started);
    stats.frames++;
    controller.enqueue(frame);
  };
  const decrypt = async (frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>) => {
    const started = performance.now();
    const result = await decryptFrame(frame.data, { kind: options.kind, keyFrame: isKeyFrame(frame) }, ring(options.participantId));
    if (result.ok) {
      record(timings.decrypt[options.kind], started);
      frame.data = result.data;
      stats.frames++;
      controller.enqueue(frame);
    } else if (!mode.strict) {
      stats.passthrough++;
      controller.enqueue(frame);
    } else {
      stats.dropped++;
      askForKey(options.participantId);
    }
  };
  const transform = options.operation === 'encrypt' ? encrypt : decrypt;
  readable
    .pipeThrough(
      new TransformStream<EncodedFrame, EncodedFrame>({
        transform: (frame, controller) => {
          // Empty video frames carry no payload to protect.
          if (frame.data.byteLength === 0) return controller.enqueue(frame);
          return transform(frame, controller);
        },
      }),
    )
    .pipeTo(writable)
    .catch(() => undefined)
    .finally(() => transforms.delete(options.id));
}

/** The sender moved on further than ratcheting reaches (many joins at once): ask for its key. */
function askForKey(participantId: string): void {
  const now = performance.now();
  if (now - (keyRequested.get(participantId) ?? -Infinity) < KEY_REQUEST_INTERVAL_MS) return;
  keyRequested.set(participantId, now);
  self.postMessage({ type: 'key-missing', participantId } satisfies FromWorker);
}

self.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  pipe(readable as ReadableStream<EncodedFrame>, writable as WritableStream<EncodedFrame>, options as TransformOptions);
};

self.onmessage = ({ data }: MessageEvent<ToWorker>) => {
  switch (data.type) {
    case 'key':
      void ring(data.participantId).set(data.index, data.material);
      break;
    case 'forget':
      rings.delete(data.participantId);
      keyRequested.delete(data.participantId);
      break;
    case 'mode':
      mode = data.mode;
      break;
    case 'streams':
      pipe(data.readable, data.writable, data.options);
      break;
    case 'stats': {
      const message: FromWorker = { type: 'stats', transforms: [...transforms.values()].map((stats) => ({ ...stats })), timings };
      self.postMessage(message);
      break;
    }
  }
};

/// <reference lib="webworker" />
// The E2EE worker: encrypts every outgoing and decrypts every incoming media
// frame of this page in SFrame form, off the main thread. Frame secrets
// arrive from the page (one per participant and MLS epoch); the worker
// derives and ratchets the frame keys.
import { decryptFrame, encryptFrame, epochOfKeyId, KeyChain, keyId, peekHeader, ReplayWindow, type FrameLayout } from './sframe';
import type { FromWorker, Mode, Timings, ToWorker, TransformOptions, TransformStats } from './worker-protocol';

declare const self: DedicatedWorkerGlobalScope & { onrtctransform: ((event: RTCTransformEvent) => void) | null };

const TIMING_SAMPLES = 2000;
/** How long a receiver holds a frame under an epoch it has no key for yet: the commit may still be on its way. */
const KEY_WAIT_MS = 1000;
/** Epochs kept per participant, for frames sent just before a change. */
const EPOCHS_KEPT = 3;

interface Entry {
  readonly chain: KeyChain;
  readonly window: ReplayWindow;
  /** The next counter, when this is our own key. */
  next: number;
}

/** What the worker holds of one participant: keys by KID (the newest inserted last), and KIDs waited for in vain. */
interface Participant {
  readonly keys: Map<number, Entry>;
  newest: Entry | undefined;
  /** Their frames are dropped at once from then on. */
  readonly missing: Set<number>;
}

const participants = new Map<string, Participant>();
const keyArrived = new Map<string, Array<() => void>>();
const transforms = new Map<string, TransformStats>();
const timings: Timings = { encrypt: { audio: [], video: [] }, decrypt: { audio: [], video: [] } };
const nextSlot = new Map<number[], number>();
let mode: Mode = { encrypt: true, strict: true };

/** Keeps the latest TIMING_SAMPLES durations, overwriting the oldest: constant work per frame. */
function record(samples: number[], started: number): void {
  const slot = nextSlot.get(samples) ?? 0;
  samples[slot] = performance.now() - started;
  nextSlot.set(samples, (slot + 1) % TIMING_SAMPLES);
}

function participant(participantId: string): Participant {
  let found = participants.get(participantId);
  if (!found) participants.set(participantId, (found = { keys: new Map(), newest: undefined, missing: new Set() }));
  return found;
}

function setKey(participantId: string, epoch: number, leaf: number, secret: Uint8Array<ArrayBuffer>): void {
  const kid = keyId(epoch, leaf);
  const held = participant(participantId);
  if (held.keys.has(kid)) return;
  held.newest = { chain: new KeyChain(kid, secret), window: new ReplayWindow(), next: 0 };
  held.keys.set(kid, held.newest);
  for (const old of [...held.keys.keys()].slice(0, -EPOCHS_KEPT)) held.keys.delete(old);
  held.missing.delete(kid);
  const waiting = `${participantId} ${kid}`;
  for (const resolve of keyArrived.get(waiting) ?? []) resolve();
  keyArrived.delete(waiting);
}

/** The entry for a frame's KID, waiting a little for a key that is newer than all we hold. */
async function entryFor(participantId: string, kid: number): Promise<Entry | undefined> {
  const held = participant(participantId);
  const found = held.keys.get(kid);
  if (found || held.missing.has(kid)) return found;
  const latest = held.newest && epochOfKeyId(held.newest.chain.kid);
  // An epoch we moved past (allowing for the 16-bit wrap) will not come back.
  if (latest !== undefined && epochOfKeyId(kid) <= latest && latest - epochOfKeyId(kid) < 0x8000) return undefined;
  const name = `${participantId} ${kid}`;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (held.missing.add(kid), resolve()), KEY_WAIT_MS);
    keyArrived.set(name, [...(keyArrived.get(name) ?? []), () => (clearTimeout(timer), resolve())]);
  });
  return held.keys.get(kid);
}

type EncodedFrame = RTCEncodedVideoFrame | RTCEncodedAudioFrame;

function layoutOf(frame: EncodedFrame, kind: 'audio' | 'video'): FrameLayout {
  return { codec: kind === 'audio' ? 'opus' : 'vp8', keyFrame: 'type' in frame && frame.type === 'key' };
}

function pipe(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, options: TransformOptions): void {
  const stats: TransformStats = { ...options, frames: 0, passthrough: 0, dropped: 0 };
  transforms.set(options.id, stats);
  const encrypt = async (frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>) => {
    if (!mode.encrypt) {
      stats.passthrough++;
      controller.enqueue(frame);
      return;
    }
    const own = participants.get(options.participantId)?.newest;
    // Without a key nothing leaves: an unencrypted frame must never be sent in an E2EE room.
    if (!own) {
      stats.dropped++;
      return;
    }
    const started = performance.now();
    frame.data = (await encryptFrame(new Uint8Array(frame.data), layoutOf(frame, options.kind), own.chain, own.next++)).buffer;
    record(timings.encrypt[options.kind], started);
    stats.frames++;
    controller.enqueue(frame);
  };
  const decrypt = async (frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>) => {
    const started = performance.now();
    const data = new Uint8Array(frame.data);
    const layout = layoutOf(frame, options.kind);
    const header = peekHeader(data, layout);
    const entry = header && (await entryFor(options.participantId, header.kid));
    const plain = entry && entry.window.allows(header.ctr) ? await decryptFrame(data, layout, entry.chain) : undefined;
    if (plain && entry) {
      entry.window.accept(header.ctr);
      record(timings.decrypt[options.kind], started);
      frame.data = plain.buffer;
      stats.frames++;
      controller.enqueue(frame);
    } else if (!mode.strict) {
      stats.passthrough++;
      controller.enqueue(frame);
    } else {
      stats.dropped++;
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

self.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  pipe(readable as ReadableStream<EncodedFrame>, writable as WritableStream<EncodedFrame>, options as TransformOptions);
};

self.onmessage = ({ data }: MessageEvent<ToWorker>) => {
  switch (data.type) {
    case 'key':
      setKey(data.participantId, data.epoch, data.leaf, data.secret);
      break;
    case 'forget':
      participants.delete(data.participantId);
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

import type { types } from 'mediasoup-client';
import type { MediaSource } from '@raum/protocol';
import type { SignallingChannel } from '../signalling/signalling-channel';
import { sendOptions } from './transports';

/** How a sender's frames are encrypted: the E2EE worker's transform for it, if the call is end-to-end encrypted. */
export type EncryptSender = (sender: RTCRtpSender, kind: 'audio' | 'video') => string | undefined;

/**
 * This person's own streams: a producer per source (camera, microphone, a
 * shared screen and its sound), each encrypted from its first frame, and
 * each camera encoded in the simulcast layers the others show (the SFU says
 * which: `sendLayers`).
 */
export class Senders {
  readonly #producers = new Map<MediaSource, types.Producer>();
  /** Each producer's transform in the E2EE worker, by producer id. */
  readonly #transforms = new Map<string, string>();
  /** The largest layer the SFU asked for, by producer id: it may be asked before produce() has stored the producer. */
  readonly #layers = new Map<string, number>();

  constructor(
    private readonly signalling: SignallingChannel,
    /** The send transport, once it exists (undefined if the call ended meanwhile). */
    private readonly transport: () => Promise<types.Transport | undefined>,
    private readonly encrypt: EncryptSender,
  ) {}

  /**
   * The E2EE worker transforms of the producers that are sending now (not
   * paused); a producer without one shows as 'missing', which no proof accepts.
   */
  get activeTransforms(): string[] {
    return [...this.#producers.values()]
      .filter((producer) => !producer.paused)
      .map((producer) => this.#transforms.get(producer.id) ?? 'missing');
  }

  /** What is being sent now (not paused), to be sent again on new transports. */
  get sending(): Array<{ source: MediaSource; track: MediaStreamTrack }> {
    return [...this.#producers]
      .filter(([, producer]) => !producer.paused && producer.track)
      .map(([source, producer]) => ({ source, track: producer.track! }));
  }

  /**
   * Sends a source with the given track, or stops sending it (null): the
   * producer pauses and the SFU stops forwarding it.
   */
  async set(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    const producer = this.#producers.get(source);
    if (!track) {
      if (!producer || producer.paused) return;
      producer.pause();
      await this.signalling.request('pauseProducer', { producerId: producer.id });
      return;
    }
    if (!producer) {
      await this.produce(source, track);
      return;
    }
    if (producer.track !== track) await producer.replaceTrack({ track });
    if (!producer.paused) return;
    producer.resume();
    await this.signalling.request('resumeProducer', { producerId: producer.id });
  }

  /** Stops sending a source for good (a screen share ends): the others' tiles for it go. */
  async stop(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    this.#transforms.delete(producer.id);
    this.#layers.delete(producer.id);
    producer.close();
    await this.signalling.request('closeProducer', { producerId: producer.id });
  }

  /** The SFU's answer to who shows a camera how large: encode its layers up to `spatialLayer`. */
  setLayers(producerId: string, spatialLayer: number): void {
    this.#layers.set(producerId, spatialLayer);
    const producer = [...this.#producers.values()].find((sent) => sent.id === producerId);
    if (producer) void this.applyLayers(producer);
  }

  /** Forgets every producer, without a word to the SFU (it forgot them too, or the call is over). */
  clear(): void {
    this.#producers.clear();
    this.#transforms.clear();
    this.#layers.clear();
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const transport = await this.transport();
    if (!transport) throw new Error('join before sending media');
    let transform: string | undefined;
    const producer = await transport.produce({
      track,
      appData: { source },
      stopTracks: false,
      // Encrypt from the sender's creation on, before its first frame.
      onRtpSender: (sender) => (transform = this.encrypt(sender, track.kind as 'audio' | 'video')),
      ...sendOptions(source),
    });
    this.#producers.set(source, producer);
    if (transform) this.#transforms.set(producer.id, transform);
    if (this.#layers.has(producer.id)) void this.applyLayers(producer);
  }

  private async applyLayers(producer: types.Producer): Promise<void> {
    const spatialLayer = this.#layers.get(producer.id);
    if (spatialLayer === undefined || producer.closed || producer.kind !== 'video') return;
    // mediasoup-client queues it behind the transport's other negotiations; one already in place changes nothing.
    await producer.setMaxSpatialLayer(spatialLayer);
  }
}

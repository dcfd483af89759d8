import { signal } from '@angular/core';
import type { Participant } from './call-types';
import { SELF, SpeakingDetector } from './speaking';

/**
 * Who speaks in a call, as signals: measured in this browser from the audio
 * it plays anyway, and from a never-muted copy of the own microphone, so a
 * person talking while muted can be told. No level leaves the browser.
 */
export class Speakers {
  readonly #detector = new SpeakingDetector();
  /** Peer ids, and SELF for this person. */
  readonly speaking = signal<ReadonlySet<string>>(new Set());
  /** The last one to start speaking (never SELF); stays through silence. */
  readonly activeSpeaker = signal<string | undefined>(undefined);
  #probe: MediaStreamTrack | undefined;
  #heard = new Set<string>();

  constructor() {
    this.#detector.onChange(({ speaking, activeSpeaker }) => {
      this.speaking.set(speaking);
      this.activeSpeaker.set(activeSpeaker);
    });
  }

  /** The microphone in use, or none. */
  hearSelf(microphone: MediaStreamTrack | undefined): void {
    this.#probe?.stop();
    this.#probe = microphone?.clone();
    if (this.#probe) {
      this.#probe.enabled = true;
      this.#detector.watch(SELF, this.#probe);
    } else {
      this.#detector.unwatch(SELF);
    }
  }

  /** The microphones this page plays, and no others. */
  hear(participants: readonly Participant[]): void {
    const playing = new Map(
      participants.flatMap(({ peerId, microphone }) => (microphone && !microphone.paused ? [[peerId, microphone.track] as const] : [])),
    );
    for (const key of this.#heard) if (!playing.has(key)) this.#detector.unwatch(key);
    for (const [key, track] of playing) this.#detector.watch(key, track);
    this.#heard = new Set(playing.keys());
  }

  close(): void {
    this.#probe?.stop();
    this.#detector.close();
  }
}

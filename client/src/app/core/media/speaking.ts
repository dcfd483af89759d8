/** The key of this participant's own microphone: it can be speaking, but is never the active speaker. */
export const SELF = 'self';

/** Who is speaking, and whose tile is the big one. */
export interface SpeakingState {
  readonly speaking: ReadonlySet<string>;
  /** The latest to start speaking among those who still are, not counting oneself; kept through silence. */
  readonly activeSpeaker: string | undefined;
}

export interface HysteresisOptions {
  /** A sample louder than this is sound, in dBFS. */
  readonly thresholdDb: number;
  /** Loud samples in a row before someone counts as speaking. */
  readonly startSamples: number;
  /** Quiet this long (ms) after the last loud sample stops it. */
  readonly holdMs: number;
}

export const SPEAKING_DEFAULTS: HysteresisOptions = {
  // Speech at a normal distance from a laptop or headset microphone, after
  // the browser's automatic gain control, measures about -35 to -20 dBFS RMS;
  // a quiet room after its noise suppression stays below -60. -50 sits
  // between: soft speech counts, a fan or distant traffic does not.
  thresholdDb: -50,
  // At one sample per 100 ms a click, a cough or a bumped desk is loud for one sample; words are loud for several.
  startSamples: 2,
  // Longer than the pauses between words and for breath, so the ring around a tile does not flicker.
  holdMs: 800,
};

/** One level a tenth of a second: often enough for the ring to follow speech, rare enough to cost nothing. */
export const SAMPLE_INTERVAL_MS = 100;

interface Voice {
  /** Loud samples in a row, up to now. */
  loudRun: number;
  lastLoudAt: number;
  /** When this voice last started speaking, as an order among all starts. */
  startedAs: number;
}

/**
 * The decision over measured levels, without Web Audio or clocks: each
 * sample says how loud someone was at a time, and the answer says whether
 * who is speaking (or the active speaker) changed. Sets are replaced, not
 * changed, so a snapshot handed out stays as it was.
 */
export class SpeakingHysteresis {
  readonly #options: HysteresisOptions;
  readonly #voices = new Map<string, Voice>();
  #speaking: ReadonlySet<string> = new Set();
  #activeSpeaker: string | undefined;
  #starts = 0;

  constructor(options: Partial<HysteresisOptions> = {}) {
    this.#options = { ...SPEAKING_DEFAULTS, ...options };
  }

  get speaking(): ReadonlySet<string> {
    return this.#speaking;
  }

  get activeSpeaker(): string | undefined {
    return this.#activeSpeaker;
  }

  /** How loud (dBFS) `key` was at `now` (ms); true if the state changed. */
  sample(key: string, levelDb: number, now: number): boolean {
    let voice = this.#voices.get(key);
    if (!voice) this.#voices.set(key, (voice = { loudRun: 0, lastLoudAt: -Infinity, startedAs: 0 }));
    if (levelDb > this.#options.thresholdDb) {
      voice.loudRun++;
      voice.lastLoudAt = now;
      if (voice.loudRun < this.#options.startSamples || this.#speaking.has(key)) return false;
      voice.startedAs = ++this.#starts;
      this.#speaking = new Set(this.#speaking).add(key);
      if (key !== SELF) this.#activeSpeaker = key;
      return true;
    }
    voice.loudRun = 0;
    if (!this.#speaking.has(key) || now - voice.lastLoudAt < this.#options.holdMs) return false;
    this.#stop(key);
    // Nobody else speaking: the last speaker stays on the big tile rather than it jumping back in the silence.
    if (key === this.#activeSpeaker) this.#activeSpeaker = this.#latestStarter() ?? key;
    return true;
  }

  /** `key` is no longer watched; true if the state changed. */
  remove(key: string): boolean {
    this.#voices.delete(key);
    const wasSpeaking = this.#stop(key);
    if (key !== this.#activeSpeaker) return wasSpeaking;
    this.#activeSpeaker = this.#latestStarter();
    return true;
  }

  #stop(key: string): boolean {
    if (!this.#speaking.has(key)) return false;
    const speaking = new Set(this.#speaking);
    speaking.delete(key);
    this.#speaking = speaking;
    return true;
  }

  #latestStarter(): string | undefined {
    let latest: string | undefined;
    for (const key of this.#speaking) {
      if (key !== SELF && (latest === undefined || this.#voices.get(key)!.startedAs > this.#voices.get(latest)!.startedAs)) latest = key;
    }
    return latest;
  }
}

interface Watched {
  readonly track: MediaStreamTrack;
  readonly source: MediaStreamAudioSourceNode;
  readonly analyser: AnalyserNode;
  readonly samples: Float32Array<ArrayBuffer>;
}

export interface SpeakingDetectorOptions {
  readonly hysteresis?: Partial<HysteresisOptions>;
  /** Makes the one AudioContext, when the first track is watched; the detector closes it. Tests give their own. */
  readonly createContext?: () => AudioContext;
}

/**
 * Who is speaking, decided here in the browser from the audio tracks
 * themselves, so no audio level ever goes to the server. Each track feeds
 * an analyser that is connected to nothing else: the <audio> elements play
 * it. (Chromium has long passed remote WebRTC audio to Web Audio only while
 * a media element plays the same track, which they do.)
 */
export class SpeakingDetector {
  readonly #hysteresis: SpeakingHysteresis;
  readonly #createContext: () => AudioContext;
  readonly #watched = new Map<string, Watched>();
  readonly #levels = new Map<string, number>();
  readonly #listeners = new Set<(state: SpeakingState) => void>();
  #context: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: SpeakingDetectorOptions = {}) {
    this.#hysteresis = new SpeakingHysteresis(options.hysteresis);
    this.#createContext = options.createContext ?? (() => new AudioContext());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get speaking(): ReadonlySet<string> {
    return this.#hysteresis.speaking;
  }

  get activeSpeaker(): string | undefined {
    return this.#hysteresis.activeSpeaker;
  }

  /** The last level measured for `key`, in dBFS (-Infinity for digital silence); undefined before one was measured. */
  level(key: string): number | undefined {
    return this.#levels.get(key);
  }

  /** Calls `listener` whenever who is speaking or the active speaker changes; returns how to stop. */
  onChange(listener: (state: SpeakingState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listens to `track` as `key` (a peer id, or SELF), instead of any track it had before. */
  watch(key: string, track: MediaStreamTrack): void {
    if (this.#closed) throw new Error('SpeakingDetector is closed; make a new one');
    if (track.kind !== 'audio') throw new TypeError(`watch() takes an audio track, not ${track.kind}`);
    const context = (this.#context ??= this.#createContext());
    // Without a user gesture the context may start suspended; a later watch tries again, and until then it reports nothing.
    if (context.state === 'suspended') context.resume().catch(() => undefined);
    if (this.#watched.get(key)?.track === track) return;
    this.#disconnect(key);
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    // 2048 samples are about 43 ms at 48 kHz: a few periods of the lowest voices in every measurement.
    analyser.fftSize = 2048;
    source.connect(analyser);
    this.#watched.set(key, { track, source, analyser, samples: new Float32Array(analyser.fftSize) });
    // setInterval, not requestAnimationFrame: that one stops in a background tab, and the call goes on there.
    this.#timer ??= setInterval(() => this.#measure(), SAMPLE_INTERVAL_MS);
  }

  unwatch(key: string): void {
    if (!this.#disconnect(key)) return;
    if (this.#watched.size === 0) this.#stopTimer();
    if (this.#hysteresis.remove(key)) this.#emit();
  }

  /** Stops listening and closes the AudioContext; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    for (const key of [...this.#watched.keys()]) {
      this.#disconnect(key);
      this.#hysteresis.remove(key);
    }
    this.#listeners.clear();
    this.#context?.close().catch(() => undefined);
  }

  #measure(): void {
    const now = performance.now();
    // A suspended (or closed) context delivers silence that nobody made: then nothing is measured, and speakers fall quiet.
    const running = this.#context?.state === 'running';
    let changed = false;
    for (const [key, watched] of this.#watched) {
      const level = running ? levelOf(watched) : undefined;
      if (level === undefined) this.#levels.delete(key);
      else this.#levels.set(key, level);
      changed = this.#hysteresis.sample(key, level ?? -Infinity, now) || changed;
    }
    if (changed) this.#emit();
  }

  #disconnect(key: string): boolean {
    const watched = this.#watched.get(key);
    if (!watched) return false;
    watched.source.disconnect();
    this.#watched.delete(key);
    this.#levels.delete(key);
    return true;
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #emit(): void {
    const state: SpeakingState = { speaking: this.speaking, activeSpeaker: this.activeSpeaker };
    for (const listener of [...this.#listeners]) {
      // One failing listener must not keep the others from hearing, nor stop the timer; the browser still reports it.
      try {
        listener(state);
      } catch (error) {
        reportError(error);
      }
    }
  }
}

/** The RMS of the latest samples, in dBFS. */
function levelOf({ analyser, samples }: Watched): number {
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return 10 * Math.log10(sum / samples.length);
}

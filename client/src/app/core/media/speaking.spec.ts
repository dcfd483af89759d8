import { SELF, SpeakingDetector, SpeakingHysteresis, type SpeakingState } from './speaking';

const LOUD = -20;
const QUIET = -70;
const STEP_MS = 100;

describe('SpeakingHysteresis', () => {
  let hysteresis: SpeakingHysteresis;
  let now: number;

  beforeEach(() => {
    hysteresis = new SpeakingHysteresis();
    now = 0;
  });

  /** One sample per key given, then the fake clock moves on by a step; answers whether anything changed. */
  function tick(levels: Record<string, number>): boolean {
    let changed = false;
    for (const [key, level] of Object.entries(levels)) changed = hysteresis.sample(key, level, now) || changed;
    now += STEP_MS;
    return changed;
  }

  function ticks(count: number, levels: Record<string, number>): void {
    for (let i = 0; i < count; i++) tick(levels);
  }

  it('starts speaking after two loud samples in a row', () => {
    expect(tick({ ada: LOUD })).toBeFalse();
    expect(hysteresis.speaking.has('ada')).toBeFalse();
    expect(tick({ ada: LOUD })).toBeTrue();
    expect([...hysteresis.speaking]).toEqual(['ada']);
    expect(hysteresis.activeSpeaker).toBe('ada');
  });

  it('takes a single spike, or spikes with quiet between them, for no speech', () => {
    for (let i = 0; i < 10; i++) {
      expect(tick({ ada: LOUD })).toBeFalse();
      expect(tick({ ada: QUIET })).toBeFalse();
    }
    expect(hysteresis.speaking.size).toBe(0);
    expect(hysteresis.activeSpeaker).toBeUndefined();
  });

  it('keeps speaking through a pause shorter than the hold, and stops after a longer one', () => {
    ticks(4, { ada: LOUD });
    // 500 ms of quiet between words.
    ticks(5, { ada: QUIET });
    expect(hysteresis.speaking.has('ada')).withContext('after a short pause').toBeTrue();
    tick({ ada: LOUD });
    // Quiet samples 100 to 700 ms after the last loud one keep it; the one at 800 ms, the hold, stops it.
    for (let i = 0; i < 7; i++)
      expect(tick({ ada: QUIET }))
        .withContext(`quiet sample ${i}`)
        .toBeFalse();
    expect(hysteresis.speaking.has('ada')).toBeTrue();
    expect(tick({ ada: QUIET })).toBeTrue();
    expect(hysteresis.speaking.has('ada')).withContext('after the hold').toBeFalse();
  });

  it('reports a change only when there is one, with a new set each time', () => {
    ticks(2, { ada: LOUD });
    const speaking = hysteresis.speaking;
    for (let i = 0; i < 5; i++) expect(tick({ ada: LOUD, bob: QUIET })).toBeFalse();
    expect(hysteresis.speaking).toBe(speaking);
    ticks(2, { bob: LOUD });
    expect(hysteresis.speaking).not.toBe(speaking);
    expect([...speaking])
      .withContext('a set handed out stays as it was')
      .toEqual(['ada']);
  });

  it('makes the latest to start the active speaker, and keeps the last one through silence', () => {
    ticks(2, { ada: LOUD, bob: QUIET });
    expect(hysteresis.activeSpeaker).toBe('ada');
    ticks(2, { ada: LOUD, bob: LOUD });
    expect(hysteresis.activeSpeaker).toBe('bob');
    // Bob falls quiet while Ada goes on: she is the latest starter among those speaking.
    ticks(10, { ada: LOUD, bob: QUIET });
    expect([...hysteresis.speaking]).toEqual(['ada']);
    expect(hysteresis.activeSpeaker).toBe('ada');
    // Everyone quiet: Ada stays on the big tile.
    ticks(20, { ada: QUIET, bob: QUIET });
    expect(hysteresis.speaking.size).toBe(0);
    expect(hysteresis.activeSpeaker).toBe('ada');
  });

  it('never makes oneself the active speaker', () => {
    ticks(2, { [SELF]: LOUD });
    expect(hysteresis.speaking.has(SELF)).toBeTrue();
    expect(hysteresis.activeSpeaker).toBeUndefined();
    ticks(2, { [SELF]: LOUD, bob: LOUD });
    ticks(10, { [SELF]: LOUD, bob: QUIET });
    expect(hysteresis.activeSpeaker).withContext('bob stays while only oneself speaks').toBe('bob');
  });

  it('forgets someone removed, and hands the big tile to whoever still speaks', () => {
    ticks(2, { ada: LOUD });
    ticks(2, { ada: LOUD, bob: LOUD });
    expect(hysteresis.remove('bob')).toBeTrue();
    expect([...hysteresis.speaking]).toEqual(['ada']);
    expect(hysteresis.activeSpeaker).toBe('ada');
    ticks(20, { ada: QUIET });
    expect(hysteresis.remove('ada')).withContext('the quiet active speaker').toBeTrue();
    expect(hysteresis.activeSpeaker).toBeUndefined();
    expect(hysteresis.remove('nobody')).toBeFalse();
  });
});

/** Real Web Audio in Karma's Chromium (started with autoplay allowed), on a real clock. */
describe('SpeakingDetector', () => {
  const sources: AudioContext[] = [];
  let detector: SpeakingDetector;
  let contexts: AudioContext[];

  beforeEach(() => {
    contexts = [];
    detector = new SpeakingDetector({ createContext: () => contexts[contexts.push(new AudioContext()) - 1] });
  });

  afterEach(async () => {
    detector.close();
    await Promise.all(sources.splice(0).map((context) => context.close()));
  });

  /** A 440 Hz tone at `gain` (0 for silence), as a track like a microphone's. */
  function tone(gain: number): MediaStreamTrack {
    const context = new AudioContext();
    sources.push(context);
    const oscillator = context.createOscillator();
    oscillator.frequency.value = 440;
    const volume = context.createGain();
    volume.gain.value = gain;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(volume).connect(destination);
    oscillator.start();
    return destination.stream.getAudioTracks()[0];
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The first change within `ms`, or undefined. */
  function firstChange(ms: number): Promise<SpeakingState | undefined> {
    return new Promise((resolve) => {
      const stop = detector.onChange((state) => {
        stop();
        resolve(state);
      });
      setTimeout(() => {
        stop();
        resolve(undefined);
      }, ms);
    });
  }

  it('hears a tone as speaking within 1.5 s, and tells once', async () => {
    const changes: SpeakingState[] = [];
    detector.onChange((state) => changes.push(state));
    detector.watch('ada', tone(0.5));
    const state = await firstChange(1500);
    expect(state).withContext('a change within 1.5 s').toBeDefined();
    expect([...state!.speaking]).toEqual(['ada']);
    expect(state!.activeSpeaker).toBe('ada');
    // A sine at amplitude 0.5 has an RMS of 0.354: -9 dBFS.
    expect(detector.level('ada')).toBeCloseTo(-9, 0);
    await sleep(500);
    expect(changes.length).withContext('no more changes while the tone goes on').toBe(1);
  }, 10_000);

  it('does not hear a silent track, nor a faint hum, as speaking, though it measures them', async () => {
    detector.watch('ada', tone(0));
    // Amplitude 0.001: -63 dBFS, like the noise of a quiet room.
    detector.watch('bob', tone(0.001));
    expect(await firstChange(1500)).toBeUndefined();
    expect(detector.speaking.size).toBe(0);
    // The analysers did run: the positive control that makes "not speaking" mean something.
    expect(detector.level('ada')).toBe(-Infinity);
    expect(detector.level('bob')).toBeCloseTo(-63, 0);
  }, 10_000);

  it('forgets an unwatched speaker and tells so', async () => {
    detector.watch('ada', tone(0.5));
    await firstChange(1500);
    expect(detector.activeSpeaker).toBe('ada');
    const change = firstChange(100);
    detector.unwatch('ada');
    const state = await change;
    expect(state?.speaking.size).toBe(0);
    expect(state?.activeSpeaker).toBeUndefined();
    expect(detector.level('ada')).toBeUndefined();
  }, 10_000);

  it('follows a replaced track of the same key', async () => {
    detector.watch('ada', tone(0));
    await sleep(300);
    expect(detector.level('ada')).toBeLessThan(-50);
    detector.watch('ada', tone(0.5));
    expect(await firstChange(1500))
      .withContext('speaking on the new track')
      .toBeDefined();
    expect(detector.level('ada')).toBeGreaterThan(-20);
    expect(contexts.length).withContext('one AudioContext for all').toBe(1);
  }, 10_000);

  it('reports nothing, and throws nothing, while its AudioContext stays suspended', async () => {
    const context = new AudioContext();
    await context.suspend();
    // As a browser without a user gesture does: the request to resume is never granted.
    spyOn(context, 'resume').and.returnValue(new Promise(() => undefined));
    detector.close();
    detector = new SpeakingDetector({ createContext: () => context });
    detector.watch('ada', tone(0.5));
    expect(await firstChange(1000)).toBeUndefined();
    expect(context.state).toBe('suspended');
    expect(context.resume).toHaveBeenCalled();
    expect(detector.level('ada')).toBeUndefined();
    expect(detector.speaking.size).toBe(0);
  }, 10_000);

  it('closes its AudioContext, once, and refuses to watch after', async () => {
    detector.watch('ada', tone(0.5));
    detector.close();
    detector.close();
    await sleep(50);
    expect(contexts[0].state).toBe('closed');
    expect(detector.closed).toBeTrue();
    expect(() => detector.watch('bob', tone(0.5))).toThrowError(/closed/);
  }, 10_000);
});

import { computed, signal, type WritableSignal } from '@angular/core';
import { capture, type Capture, type CaptureFailure } from './local-media';

export type { CaptureFailure } from './local-media';

export type InputKind = 'camera' | 'microphone';
export type DeviceKind = InputKind | 'speaker';

/** A device as the browser lists it. Its label is shown on this screen and goes nowhere else. */
export interface DeviceOption {
  readonly id: string;
  readonly label: string;
}

/** The devices of each kind; a kind is missing while the browser hides its ids (before any permission). */
export type DeviceLists = Partial<Readonly<Record<DeviceKind, readonly DeviceOption[]>>>;

/** The device ids chosen in Settings: all this browser remembers about devices, and nothing of it is sent. */
export type DeviceChoices = Partial<Readonly<Record<DeviceKind, string>>>;

export const DEVICES_KEY = 'raum.devices';
const KINDS: readonly DeviceKind[] = ['camera', 'microphone', 'speaker'];
const LISTED: Partial<Record<string, DeviceKind>> = { videoinput: 'camera', audioinput: 'microphone', audiooutput: 'speaker' };
/** Device ids are hashes of about 64 characters; anything much longer in storage is not ours. */
const MAX_ID_LENGTH = 256;

/** What a switch needs of the page's call (CallService), which owns the tracks. */
export interface DeviceHost {
  /** The camera or microphone track in use; undefined while that device is off. */
  current(kind: InputKind): MediaStreamTrack | undefined;
  /** Puts `track` in place of the current one (undefined: the device is off now); the self-view, the speakers detector and the producer follow. */
  use(kind: InputKind, track: MediaStreamTrack | undefined): Promise<void>;
  problem(kind: InputKind, reason: CaptureFailure | undefined): void;
  /** Runs `work` after the device work queued before it (the on/off toggles), so the two never interleave. */
  serially(work: () => Promise<void>): Promise<unknown>;
}

export interface DevicesOptions {
  readonly media?: Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'>;
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** A phone or tablet (a touch screen is the main pointer): it gets "Switch camera". */
  readonly handheld?: boolean;
  /** The browser can play audio on a chosen output (HTMLMediaElement.setSinkId). */
  readonly canChooseSpeaker?: boolean;
}

/**
 * Which camera, microphone and speaker this page uses. A choice in Settings
 * is remembered in this browser (ids only) and switched to in place: the new
 * device opens, the call's producer gets its track (replaceTrack, so no
 * rejoin and the same producer), then the old one stops.
 */
export class Devices {
  readonly #host: DeviceHost;
  readonly #media: DevicesOptions['media'];
  readonly #storage: DevicesOptions['storage'];
  readonly #handheld: boolean;
  readonly #lists = signal<DeviceLists>({});
  readonly #chosen: WritableSignal<DeviceChoices>;
  /** The ids of the camera and microphone opened last. */
  readonly #inUse = signal<DeviceChoices>({});

  readonly canChooseSpeaker: boolean;
  readonly cameras = computed(() => this.#lists().camera ?? []);
  readonly microphones = computed(() => this.#lists().microphone ?? []);
  readonly speakers = computed(() => (this.canChooseSpeaker ? (this.#lists().speaker ?? []) : []));
  /** Front and back, on phones and tablets only. */
  readonly canSwitchCamera = computed(() => this.#handheld && this.cameras().length > 1);
  /** The output remote audio plays on: the chosen one while it is there; undefined for the system's default. */
  readonly audioOutput = computed(() => (this.canChooseSpeaker ? present(this.#chosen().speaker, this.#lists().speaker) : undefined));
  /** What Settings shows as selected: the camera and microphone in use (else the choice), the speaker in use. */
  readonly selected = computed<DeviceChoices>(() => ({ ...this.#chosen(), ...this.#inUse(), speaker: this.audioOutput() }));

  constructor(host: DeviceHost, options: DevicesOptions = {}) {
    this.#host = host;
    this.#media = 'media' in options ? options.media : globalThis.navigator?.mediaDevices;
    this.#storage = 'storage' in options ? options.storage : localStorageIfAny();
    this.#handheld = options.handheld ?? globalThis.matchMedia?.('(pointer: coarse)').matches ?? false;
    this.canChooseSpeaker =
      options.canChooseSpeaker ?? (typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype);
    this.#chosen = signal(readChoices(this.#storage));
  }

  /** The camera or microphone track in use, if any. */
  current(kind: InputKind): MediaStreamTrack | undefined {
    return this.#host.current(kind);
  }

  /** Opens the camera or microphone chosen before, or the browser's default where that one is gone. */
  async open(kind: InputKind): Promise<Capture> {
    // With a permission from an earlier visit the browser lists its devices before any is open: a device that is gone is not asked for.
    if (!this.#lists()[kind]) await this.refresh();
    const device = deviceConstraint(this.#chosen()[kind], this.#lists()[kind]);
    let result = await capture(kind, device, this.#media);
    // Unplugged since it was listed, or not listed at all yet: the default rather than nothing.
    if (!result.ok && result.reason === 'unavailable' && device.deviceId) result = await capture(kind, {}, this.#media);
    return this.#opened(kind, result);
  }

  /** Settings chose a device: remembered, and switched to now if it is on (a speaker applies by itself). */
  choose(kind: DeviceKind, id: string): Promise<unknown> {
    if (kind === 'speaker') return Promise.resolve(this.#remember(kind, id));
    return this.#switch(kind, () => capture(kind, { deviceId: { exact: id } }, this.#media), id);
  }

  /** The camera facing the other way (front/back), or else the next camera. */
  switchCamera(): Promise<unknown> {
    return this.#switch('camera', (was) => this.#openOtherCamera(was));
  }

  /** Lists the devices again: after a permission (labels and ids appear), or when one is plugged in or out. */
  async refresh(): Promise<void> {
    const devices = await this.#media?.enumerateDevices?.().catch(() => undefined);
    if (devices) this.#lists.set(listsOf(devices));
  }

  /** Keeps the lists current while Settings is open; returns how to stop. */
  watchChanges(): () => void {
    const media = this.#media as Partial<EventTarget> | undefined;
    const refresh = () => void this.refresh();
    media?.addEventListener?.('devicechange', refresh);
    void this.refresh();
    return () => media?.removeEventListener?.('devicechange', refresh);
  }

  #switch(kind: InputKind, open: (was: MediaTrackSettings) => Promise<Capture>, id?: string): Promise<unknown> {
    return this.#host.serially(async () => {
      const old = this.#host.current(kind);
      if (!old) {
        // Off: the choice is used when it is turned on.
        if (id) this.#remember(kind, id);
        return;
      }
      const was = old.getSettings();
      let result = await open(was);
      // Many phones run one camera at a time: let the old one go and try again.
      if (!result.ok && result.reason === 'in-use') {
        old.stop();
        result = await open(was);
      }
      this.#host.problem(kind, result.ok ? undefined : result.reason);
      if (!result.ok) {
        if (old.readyState === 'ended') await this.#host.use(kind, undefined);
        return;
      }
      const { track } = this.#opened(kind, result) as { track: MediaStreamTrack };
      // A muted microphone stays muted.
      track.enabled = old.enabled;
      this.#remember(kind, id ?? track.getSettings().deviceId);
      try {
        await this.#host.use(kind, track);
      } finally {
        old.stop();
      }
    });
  }

  async #openOtherCamera(was: MediaTrackSettings): Promise<Capture> {
    if (was.facingMode === 'user' || was.facingMode === 'environment') {
      const facingMode = { exact: was.facingMode === 'user' ? 'environment' : 'user' };
      const result = await capture('camera', { facingMode }, this.#media);
      if (result.ok || result.reason !== 'unavailable') return result;
    }
    const next = nextDevice(this.cameras(), was.deviceId);
    return next ? capture('camera', { deviceId: { exact: next } }, this.#media) : { ok: false, reason: 'unavailable' };
  }

  #opened(kind: InputKind, result: Capture): Capture {
    if (!result.ok) return result;
    const id = result.track.getSettings().deviceId;
    this.#inUse.update((inUse) => ({ ...inUse, [kind]: id }));
    // With a device open the browser shows ids and labels, and what is plugged in may have changed.
    void this.refresh();
    return result;
  }

  /** Remembers `id` for `kind`; '' forgets the choice (the system's default). */
  #remember(kind: DeviceKind, id: string | undefined): void {
    if (id === undefined) return;
    this.#chosen.update(({ [kind]: _, ...others }) => (id ? { ...others, [kind]: id } : others));
    try {
      this.#storage?.setItem(DEVICES_KEY, JSON.stringify(this.#chosen()));
    } catch {
      // Storage may be disabled or full: the choice holds for this page only.
    }
  }
}

/**
 * The device part of getUserMedia's constraints: exactly the chosen device
 * while it is listed, or while the browser hides its list (before a
 * permission; Devices.open falls back if it is not there). Nothing, so the
 * browser's default, once it is gone: a mere preference ('ideal') would lose
 * to the capture settings' own preferences.
 */
export function deviceConstraint(chosen: string | undefined, listed: readonly DeviceOption[] | undefined): MediaTrackConstraints {
  if (!chosen || (listed && !listed.some((device) => device.id === chosen))) return {};
  return { deviceId: { exact: chosen } };
}

/** The browser's devices by kind; a kind whose ids are hidden (no permission yet) is left out. */
export function listsOf(devices: ReadonlyArray<Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>>): DeviceLists {
  const lists: Partial<Record<DeviceKind, DeviceOption[]>> = { camera: [], microphone: [], speaker: [] };
  for (const { kind, deviceId, label } of devices) {
    const as = LISTED[kind];
    if (!as) continue;
    if (deviceId) lists[as]?.push({ id: deviceId, label });
    else delete lists[as];
  }
  return lists;
}

/** The device after `current` in the list, round; undefined if there is no other. */
export function nextDevice(devices: readonly DeviceOption[], current: string | undefined): string | undefined {
  const next = devices[(devices.findIndex((device) => device.id === current) + 1) % devices.length];
  return next && next.id !== current ? next.id : undefined;
}

/** The remembered choices, ignoring anything in storage that is not a device id by kind. */
export function readChoices(storage: Pick<Storage, 'getItem'> | undefined): DeviceChoices {
  try {
    const stored: unknown = JSON.parse(storage?.getItem(DEVICES_KEY) ?? '{}');
    if (typeof stored !== 'object' || stored === null) return {};
    const entries = Object.entries(stored).filter(
      ([kind, id]) => KINDS.includes(kind as DeviceKind) && typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH,
    );
    return Object.fromEntries(entries) as DeviceChoices;
  } catch {
    return {};
  }
}

function present(id: string | undefined, listed: readonly DeviceOption[] | undefined): string | undefined {
  return id && (!listed || listed.some((device) => device.id === id)) ? id : undefined;
}

function localStorageIfAny(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    // Access to storage can throw (a sandboxed frame, storage disabled).
    return undefined;
  }
}

/** The meter's scale: -60 dBFS (a quiet room) and below is empty, 0 dBFS full. */
const METER_FLOOR_DB = -60;
const METER_INTERVAL_MS = 100;
/** How far the meter falls each measurement: a peak stays readable for a moment, as on any level meter. */
const METER_RELEASE = 0.05;

/**
 * How loud the microphone in use is, from 0 to 1, for the meter before
 * joining: measured in this browser by an analyser connected to nothing
 * else, ten times a second, never sent. It rises at once and falls slowly,
 * so a short sound can be seen. It follows the microphone as it is
 * switched or turned off; a muted (disabled) track falls to 0.
 */
export class MicrophoneLevel {
  readonly level = signal(0);
  readonly #track: () => MediaStreamTrack | undefined;
  readonly #createContext: () => AudioContext;
  readonly #timer: ReturnType<typeof setInterval>;
  #context: AudioContext | undefined;
  #input:
    { track: MediaStreamTrack; source: MediaStreamAudioSourceNode; analyser: AnalyserNode; samples: Float32Array<ArrayBuffer> } | undefined;
  /** Without a user gesture the AudioContext may start suspended: the next tap or key lets it run. */
  readonly #resume = () => void this.#context?.resume().catch(() => undefined);

  constructor(track: () => MediaStreamTrack | undefined, createContext: () => AudioContext = () => new AudioContext()) {
    this.#track = track;
    this.#createContext = createContext;
    this.#timer = setInterval(() => this.#measure(), METER_INTERVAL_MS);
    addEventListener('pointerdown', this.#resume);
    addEventListener('keydown', this.#resume);
  }

  /** Stops measuring and closes the AudioContext; safe to call twice. */
  close(): void {
    clearInterval(this.#timer);
    removeEventListener('pointerdown', this.#resume);
    removeEventListener('keydown', this.#resume);
    this.#input?.source.disconnect();
    this.#input = undefined;
    this.#context?.close().catch(() => undefined);
    this.#context = undefined;
    this.level.set(0);
  }

  #measure(): void {
    const track = this.#track();
    const live = track?.readyState === 'live' ? track : undefined;
    if (this.#input?.track !== live) this.#connect(live);
    if (!this.#input || this.#context?.state !== 'running') return this.level.set(0);
    const { analyser, samples } = this.#input;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const db = 10 * Math.log10(sum / samples.length);
    const measured = Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
    const level = Math.max(measured, this.level() - METER_RELEASE);
    // Twentieths: finer than the eye sees, and the page redraws only when the meter moves.
    this.level.set(Math.round(level * 20) / 20);
  }

  #connect(track: MediaStreamTrack | undefined): void {
    this.#input?.source.disconnect();
    this.#input = undefined;
    if (!track) return;
    const context = (this.#context ??= this.#createContext());
    if (context.state === 'suspended') this.#resume();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    this.#input = { track, source, analyser, samples: new Float32Array(analyser.fftSize) };
  }
}

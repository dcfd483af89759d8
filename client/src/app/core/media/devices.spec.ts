import {
  DEVICES_KEY,
  deviceConstraint,
  Devices,
  listsOf,
  MicrophoneLevel,
  nextDevice,
  readChoices,
  type DeviceHost,
  type InputKind,
} from './devices';
import { capture, type CaptureFailure } from './local-media';

/** A track as the code under test sees it: its device, on/off, stopped or not. */
class FakeTrack {
  enabled = true;
  readyState: MediaStreamTrackState = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
    readonly facingMode?: string,
  ) {}
  getSettings(): MediaTrackSettings {
    return { deviceId: this.deviceId, facingMode: this.facingMode };
  }
  stop(): void {
    this.readyState = 'ended';
  }
}

const asTrack = (track: FakeTrack) => track as unknown as MediaStreamTrack;

const LISTED: MediaDeviceInfo[] = [
  { kind: 'videoinput', deviceId: 'front', label: 'Front camera', groupId: 'a' },
  { kind: 'videoinput', deviceId: 'back', label: 'Back camera', groupId: 'b' },
  { kind: 'audioinput', deviceId: 'default', label: 'Default microphone', groupId: 'c' },
  { kind: 'audioinput', deviceId: 'headset', label: 'Headset', groupId: 'd' },
  { kind: 'audiooutput', deviceId: 'default', label: 'Default speaker', groupId: 'c' },
  { kind: 'audiooutput', deviceId: 'hdmi', label: 'Monitor', groupId: 'e' },
].map((device) => ({ ...device, toJSON: () => device }) as MediaDeviceInfo);

/** getUserMedia over a fixed set of devices, recording what it was asked for; `refuse` makes the next calls fail. */
class FakeMedia {
  devices: MediaDeviceInfo[] = LISTED;
  readonly asked: MediaTrackConstraints[] = [];
  readonly opened: FakeTrack[] = [];
  refuse: string[] = [];
  /** Lists without ids and labels, as before any permission. */
  hidden = false;

  readonly getUserMedia = async (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    const video = constraints.video !== undefined;
    const asked = (video ? constraints.video : constraints.audio) as MediaTrackConstraints;
    this.asked.push(asked);
    const error = this.refuse.shift();
    if (error) throw new DOMException('refused', error);
    const kind = video ? 'videoinput' : 'audioinput';
    const ofKind = this.devices.filter((device) => device.kind === kind);
    const wanted = asked.deviceId as ConstrainDOMStringParameters | undefined;
    const facing = (asked.facingMode as ConstrainDOMStringParameters | undefined)?.exact;
    let device = ofKind.find((candidate) => candidate.deviceId === (wanted?.exact ?? wanted?.ideal));
    if (facing) device = ofKind.find((candidate) => candidate.deviceId === (facing === 'environment' ? 'back' : 'front'));
    if (!device && (wanted?.exact || facing)) throw new DOMException('no such device', 'OverconstrainedError');
    device ??= ofKind[0];
    if (!device) throw new DOMException('none', 'NotFoundError');
    const track = new FakeTrack(video ? 'video' : 'audio', device.deviceId, facing ? String(facing) : undefined);
    this.opened.push(track);
    return { getTracks: () => [track] } as unknown as MediaStream;
  };

  readonly enumerateDevices = async (): Promise<MediaDeviceInfo[]> =>
    this.hidden ? this.devices.map((device) => ({ ...device, deviceId: '', label: '' }) as MediaDeviceInfo) : this.devices;
}

/** The page's side of a switch: the tracks in use, what it was told, one piece of work at a time. */
class FakeHost implements DeviceHost {
  readonly tracks: Partial<Record<InputKind, FakeTrack>> = {};
  readonly problems: Array<[InputKind, CaptureFailure | undefined]> = [];
  /** Whether the old track was still live when the new one was put in use. */
  readonly oldLiveAtUse: boolean[] = [];
  #busy: Promise<unknown> = Promise.resolve();

  current(kind: InputKind): MediaStreamTrack | undefined {
    const track = this.tracks[kind];
    return track && asTrack(track);
  }
  async use(kind: InputKind, track: MediaStreamTrack | undefined): Promise<void> {
    this.oldLiveAtUse.push(this.tracks[kind]?.readyState === 'live');
    this.tracks[kind] = track as unknown as FakeTrack | undefined;
  }
  problem(kind: InputKind, reason: CaptureFailure | undefined): void {
    this.problems.push([kind, reason]);
  }
  serially(work: () => Promise<void>): Promise<unknown> {
    return (this.#busy = this.#busy.then(work));
  }
}

function memoryStorage(initial: Record<string, string> = {}): Storage & { items: Record<string, string> } {
  const items = { ...initial };
  return {
    items,
    getItem: (key: string) => items[key] ?? null,
    setItem: (key: string, value: string) => void (items[key] = value),
  } as unknown as Storage & { items: Record<string, string> };
}

describe('Devices', () => {
  let media: FakeMedia;
  let host: FakeHost;
  let storage: ReturnType<typeof memoryStorage>;
  const make = (options: { handheld?: boolean; canChooseSpeaker?: boolean } = {}) =>
    new Devices(host, { media, storage, handheld: options.handheld ?? false, canChooseSpeaker: options.canChooseSpeaker ?? true });

  beforeEach(() => {
    media = new FakeMedia();
    host = new FakeHost();
    storage = memoryStorage();
  });

  it('remembers a choice in this browser, as device ids only, and a new page starts with it', async () => {
    const devices = make();
    await devices.refresh();
    await devices.choose('camera', 'back');
    await devices.choose('microphone', 'headset');
    await devices.choose('speaker', 'hdmi');
    expect(JSON.parse(storage.items[DEVICES_KEY])).toEqual({ camera: 'back', microphone: 'headset', speaker: 'hdmi' });
    expect(storage.items[DEVICES_KEY]).not.toContain('Back camera');

    const later = make();
    await later.refresh();
    expect(later.selected()).toEqual({ camera: 'back', microphone: 'headset', speaker: 'hdmi' });
    expect(later.audioOutput()).toBe('hdmi');
  });

  it('opens the remembered device exactly, also while the browser still hides its list', async () => {
    storage = memoryStorage({ [DEVICES_KEY]: JSON.stringify({ camera: 'back', microphone: 'headset' }) });
    media.hidden = true;
    const devices = make();
    const first = await devices.open('camera');
    expect(media.asked[0].deviceId).toEqual({ exact: 'back' });
    expect(first.ok && first.track.getSettings().deviceId).toBe('back');
    media.hidden = false;
    await devices.open('microphone');
    expect(media.asked[1].deviceId).toEqual({ exact: 'headset' });
    expect(media.asked[1].echoCancellation).withContext('the capture settings stay').toBeTrue();
    expect(devices.selected()).toEqual(jasmine.objectContaining({ camera: 'back', microphone: 'headset' }));
  });

  it('falls back to the default when the remembered device is gone, and keeps remembering it', async () => {
    storage = memoryStorage({ [DEVICES_KEY]: JSON.stringify({ camera: 'usb-camera', speaker: 'usb-headset' }) });
    const devices = make();
    const opened = await devices.open('camera');
    expect(media.asked.map((asked) => asked.deviceId))
      .withContext('not asked for: it is not listed')
      .toEqual([undefined]);
    expect(opened.ok && opened.track.getSettings().deviceId).toBe('front');
    expect(devices.audioOutput()).withContext('a missing speaker: the system default').toBeUndefined();
    expect(JSON.parse(storage.items[DEVICES_KEY]).camera).withContext('it may be plugged in again').toBe('usb-camera');

    // Before a permission the list says nothing: asked for exactly, refused, then the default.
    media.hidden = true;
    const again = await make().open('camera');
    expect(media.asked.slice(1).map((asked) => asked.deviceId)).toEqual([{ exact: 'usb-camera' }, undefined]);
    expect(again.ok && again.track.getSettings().deviceId).toBe('front');
  });

  it('switches in place: the new track is in use before the old one stops, and a muted microphone stays muted', async () => {
    const devices = make();
    await devices.refresh();
    const camera = (host.tracks.camera = new FakeTrack('video', 'front'));
    const microphone = (host.tracks.microphone = new FakeTrack('audio', 'default'));
    microphone.enabled = false;

    await devices.choose('camera', 'back');
    expect(host.tracks.camera?.deviceId).toBe('back');
    expect(camera.readyState).toBe('ended');
    await devices.choose('microphone', 'headset');
    expect(host.tracks.microphone?.deviceId).toBe('headset');
    expect(host.tracks.microphone?.enabled).toBeFalse();
    expect(microphone.readyState).toBe('ended');
    expect(host.oldLiveAtUse).toEqual([true, true]);
    expect(host.problems).toEqual([
      ['camera', undefined],
      ['microphone', undefined],
    ]);
    expect(devices.selected()).toEqual(jasmine.objectContaining({ camera: 'back', microphone: 'headset' }));
  });

  it('only remembers a device chosen while it is off, and opens it when it is turned on', async () => {
    const devices = make();
    await devices.refresh();
    await devices.choose('camera', 'back');
    expect(media.asked).toEqual([]);
    await devices.open('camera');
    expect(media.asked[0].deviceId).toEqual({ exact: 'back' });
  });

  it('lets go of the old camera and tries again where only one runs at a time (NotReadableError)', async () => {
    const devices = make();
    const old = (host.tracks.camera = new FakeTrack('video', 'front'));
    media.refuse = ['NotReadableError'];
    await devices.choose('camera', 'back');
    expect(media.asked.length).toBe(2);
    expect(old.readyState).toBe('ended');
    expect(host.tracks.camera?.deviceId).toBe('back');
    expect(host.problems).toEqual([['camera', undefined]]);
  });

  it('keeps the old device and says why when the new one does not open', async () => {
    const devices = make();
    const old = (host.tracks.microphone = new FakeTrack('audio', 'default'));
    media.refuse = ['NotAllowedError'];
    await devices.choose('microphone', 'headset');
    expect(host.tracks.microphone).toBe(old);
    expect(old.readyState).toBe('live');
    expect(host.problems).toEqual([['microphone', 'denied']]);
    expect(JSON.parse(storage.items[DEVICES_KEY] ?? '{}').microphone).toBeUndefined();
  });

  it('turns the camera off when it was let go and the new one is still busy', async () => {
    const devices = make();
    const old = (host.tracks.camera = new FakeTrack('video', 'front'));
    media.refuse = ['NotReadableError', 'NotReadableError'];
    await devices.choose('camera', 'back');
    expect(old.readyState).toBe('ended');
    expect(host.tracks.camera).toBeUndefined();
    expect(host.problems).toEqual([['camera', 'in-use']]);
  });

  it('switches a phone camera by facing, and a camera that does not say by the next one', async () => {
    const phone = make({ handheld: true });
    await phone.refresh();
    expect(phone.canSwitchCamera()).toBeTrue();
    host.tracks.camera = new FakeTrack('video', 'front', 'user');
    await phone.switchCamera();
    expect(media.asked[0].facingMode).toEqual({ exact: 'environment' });
    expect(host.tracks.camera?.deviceId).toBe('back');
    expect(JSON.parse(storage.items[DEVICES_KEY]).camera).toBe('back');

    host.tracks.camera = new FakeTrack('video', 'back');
    await phone.switchCamera();
    expect(media.asked[1].deviceId).toEqual({ exact: 'front' });
    expect(make({ handheld: false }).canSwitchCamera())
      .withContext('not offered on a laptop')
      .toBeFalse();
  });

  it('offers no speaker where the browser cannot choose one, and plays on the default there', async () => {
    storage = memoryStorage({ [DEVICES_KEY]: JSON.stringify({ speaker: 'hdmi' }) });
    const devices = make({ canChooseSpeaker: false });
    await devices.refresh();
    expect(devices.speakers()).toEqual([]);
    expect(devices.audioOutput()).toBeUndefined();
    const chooser = make();
    await chooser.choose('speaker', '');
    expect(chooser.audioOutput()).withContext('"" goes back to the system default').toBeUndefined();
    expect(JSON.parse(storage.items[DEVICES_KEY])).toEqual({});
  });
});

describe('device helpers', () => {
  const listed = [
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
  ];

  it('builds the device constraint from the choice and the list', () => {
    expect(deviceConstraint(undefined, listed)).toEqual({});
    expect(deviceConstraint('b', listed)).toEqual({ deviceId: { exact: 'b' } });
    expect(deviceConstraint('b', undefined))
      .withContext('not listed yet')
      .toEqual({ deviceId: { exact: 'b' } });
    expect(deviceConstraint('gone', listed)).toEqual({});
  });

  it('leaves out a kind whose ids the browser hides', () => {
    const lists = listsOf([
      { kind: 'videoinput', deviceId: '', label: '' },
      { kind: 'audioinput', deviceId: 'm', label: 'Mic' },
    ]);
    expect(lists.camera).toBeUndefined();
    expect(lists.microphone).toEqual([{ id: 'm', label: 'Mic' }]);
    expect(lists.speaker).withContext('none at all is a list too').toEqual([]);
  });

  it('finds the next camera round the list', () => {
    expect(nextDevice(listed, 'a')).toBe('b');
    expect(nextDevice(listed, 'b')).toBe('a');
    expect(nextDevice(listed, 'unknown')).toBe('a');
    expect(nextDevice([listed[0]], 'a')).toBeUndefined();
    expect(nextDevice([], undefined)).toBeUndefined();
  });

  it('reads only device ids by kind from storage', () => {
    const stored = (value: string) => readChoices({ getItem: () => value });
    expect(stored('{"camera":"x","label":"Front","speaker":7,"microphone":""}')).toEqual({ camera: 'x' });
    expect(stored('not json')).toEqual({});
    expect(stored('null')).toEqual({});
    expect(stored(JSON.stringify({ camera: 'x'.repeat(300) }))).toEqual({});
  });
});

describe('capture', () => {
  const failing = (name: string) => ({ getUserMedia: () => Promise.reject(new DOMException('no', name)) });

  it('tells a refusal, a missing device and a device in use apart', async () => {
    const reasons = [];
    for (const name of ['NotAllowedError', 'SecurityError', 'NotFoundError', 'OverconstrainedError', 'NotReadableError', 'AbortError'])
      reasons.push(await capture('camera', {}, failing(name)));
    expect(reasons.map((result) => !result.ok && result.reason)).toEqual([
      'denied',
      'denied',
      'unavailable',
      'unavailable',
      'in-use',
      'unavailable',
    ]);
    const withoutMedia = {} as Pick<MediaDevices, 'getUserMedia'>;
    expect(await capture('microphone', {}, withoutMedia))
      .withContext('no getUserMedia (an insecure page)')
      .toEqual({ ok: false, reason: 'unavailable' });
  });

  it('opens a real (fake) device with the chosen constraint on top of the capture settings', async () => {
    const result = await capture('camera', { width: { exact: 320 } });
    expect(result.ok).toBeTrue();
    if (!result.ok) return;
    expect(result.track.getSettings().width).toBe(320);
    result.track.stop();
  });
});

describe('MicrophoneLevel', () => {
  let context: AudioContext;
  let oscillator: OscillatorNode;
  let track: MediaStreamTrack;
  let level: MicrophoneLevel | undefined;

  beforeEach(async () => {
    context = new AudioContext();
    await context.resume();
    oscillator = context.createOscillator();
    const destination = context.createMediaStreamDestination();
    oscillator.connect(destination);
    oscillator.start();
    [track] = destination.stream.getAudioTracks();
  });

  afterEach(async () => {
    level?.close();
    oscillator.stop();
    await context.close();
  });

  async function settle(meter: MicrophoneLevel, accept: (level: number) => boolean): Promise<number> {
    const deadline = performance.now() + 5000;
    while (!accept(meter.level()) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return meter.level();
  }

  it('rises with sound at once, falls slowly when the track is muted, to 0 at once when it is gone', async () => {
    let current: MediaStreamTrack | undefined = track;
    level = new MicrophoneLevel(() => current);
    // A full-scale sine is about -3 dBFS.
    expect(await settle(level, (value) => value > 0.8)).toBeGreaterThan(0.8);
    track.enabled = false;
    // A peak stays readable for a moment: a quarter of a second later the meter is still well up.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(level.level()).toBeGreaterThan(0.3);
    expect(await settle(level, (value) => value === 0)).toBe(0);
    track.enabled = true;
    expect(await settle(level, (value) => value > 0.8)).toBeGreaterThan(0.8);
    current = undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(level.level()).toBe(0);
  });
});

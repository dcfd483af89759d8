import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { I18n } from '../core/i18n/i18n';
import { EN } from '../core/i18n/strings';
import { DE } from '../core/i18n/strings-de';
import { CallService } from '../core/media/call.service';
import { DEVICES_KEY, Devices, type DeviceHost, type InputKind } from '../core/media/devices';
import type { CaptureFailure } from '../core/media/local-media';
import { SettingsPanel } from './settings-panel';

const DEVICES = [
  { kind: 'videoinput', deviceId: 'front', label: 'Front camera' },
  { kind: 'videoinput', deviceId: 'back', label: 'Back camera' },
  { kind: 'audioinput', deviceId: 'default', label: 'Default microphone' },
  { kind: 'audioinput', deviceId: 'headset', label: 'Headset' },
  { kind: 'audiooutput', deviceId: 'default', label: 'Default speaker' },
  { kind: 'audiooutput', deviceId: 'hdmi', label: 'Monitor' },
] as MediaDeviceInfo[];

/** A track that knows its device. */
function track(deviceId: string): MediaStreamTrack {
  const fake = { enabled: true, readyState: 'live', getSettings: () => ({ deviceId }), stop: () => (fake.readyState = 'ended') };
  return fake as unknown as MediaStreamTrack;
}

interface Setup {
  readonly devices?: MediaDeviceInfo[];
  readonly handheld?: boolean;
  readonly canChooseSpeaker?: boolean;
  readonly stored?: object;
  readonly cameraProblem?: CaptureFailure;
  readonly microphoneProblem?: CaptureFailure;
}

describe('SettingsPanel', () => {
  let tracks: Partial<Record<InputKind, MediaStreamTrack>>;
  let asked: MediaTrackConstraints[];
  let items: Record<string, string>;

  async function render(setup: Setup = {}) {
    tracks = { camera: track('front'), microphone: track('default') };
    asked = [];
    items = setup.stored ? { [DEVICES_KEY]: JSON.stringify(setup.stored) } : {};
    const listed = setup.devices ?? DEVICES;
    const host: DeviceHost = {
      current: (kind) => tracks[kind],
      use: async (kind, next) => void (tracks[kind] = next),
      problem: () => undefined,
      serially: (work) => work(),
    };
    const media = {
      enumerateDevices: async () => listed,
      getUserMedia: async (constraints: MediaStreamConstraints) => {
        const wanted = (constraints.video ?? constraints.audio) as MediaTrackConstraints;
        asked.push(wanted);
        return { getTracks: () => [track((wanted.deviceId as { exact: string }).exact)] } as unknown as MediaStream;
      },
    };
    const storage = { getItem: (key: string) => items[key] ?? null, setItem: (key: string, value: string) => void (items[key] = value) };
    const devices = new Devices(host, {
      media,
      storage,
      handheld: setup.handheld ?? false,
      canChooseSpeaker: setup.canChooseSpeaker ?? true,
    });
    const call = {
      devices,
      camera: signal(tracks.camera),
      cameraProblem: signal(setup.cameraProblem),
      microphoneProblem: signal(setup.microphoneProblem),
    };
    TestBed.configureTestingModule({ providers: [{ provide: CallService, useValue: call }] });
    TestBed.inject(I18n).locale.set('en');
    const fixture = TestBed.createComponent(SettingsPanel);
    let closed = 0;
    fixture.componentInstance.closed.subscribe(() => closed++);
    await devices.refresh();
    fixture.detectChanges();
    await fixture.whenStable();
    const panel = fixture.nativeElement as HTMLElement;
    const select = (kind: string) => panel.querySelector<HTMLSelectElement>(`select[data-device="${kind}"]`);
    return { fixture, panel, select, closed: () => closed };
  }

  it('offers camera, microphone and speaker by their names, with the remembered ones selected', async () => {
    const { panel, select } = await render({ stored: { camera: 'back', microphone: 'headset', speaker: 'hdmi' } });
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(panel.querySelector('#settings-title')?.textContent).toBe('Settings');
    const labels = [...panel.querySelectorAll('label.field')].map((label) => label.querySelector('.field__label')?.textContent);
    expect(labels).toEqual(['Camera', 'Microphone', 'Speaker']);
    expect([...select('camera')!.options].map((option) => option.text.trim())).toEqual(['Front camera', 'Back camera']);
    expect(select('camera')!.value).toBe('back');
    expect(select('microphone')!.value).toBe('headset');
    expect(select('speaker')!.value).toBe('hdmi');
    expect(panel.textContent).toContain(EN.devicesRemembered);
  });

  it('switches to the camera chosen, exactly that one, and remembers it', async () => {
    const { select } = await render();
    const old = tracks.camera!;
    const camera = select('camera')!;
    camera.value = 'back';
    camera.dispatchEvent(new Event('change'));
    await new Promise((resolve) => setTimeout(resolve));
    expect(asked.map((constraints) => constraints.deviceId)).toEqual([{ exact: 'back' }]);
    expect(tracks.camera?.getSettings().deviceId).toBe('back');
    expect(old.readyState).toBe('ended');
    expect(JSON.parse(items[DEVICES_KEY])).toEqual({ camera: 'back' });
  });

  it('chooses the speaker without opening anything', async () => {
    const { select } = await render();
    const speaker = select('speaker')!;
    speaker.value = 'hdmi';
    speaker.dispatchEvent(new Event('change'));
    await new Promise((resolve) => setTimeout(resolve));
    expect(asked).toEqual([]);
    expect(TestBed.inject(CallService).devices.audioOutput()).toBe('hdmi');
  });

  it('hides the speaker choice where the browser cannot play on a chosen output', async () => {
    const { select } = await render({ canChooseSpeaker: false });
    expect(select('camera')).not.toBeNull();
    expect(select('speaker')).toBeNull();
  });

  it('offers "Switch camera" only on a phone or tablet with more than one camera', async () => {
    const switchButton = (panel: HTMLElement) =>
      [...panel.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Switch camera');
    expect(switchButton((await render({ handheld: true })).panel)).toBeDefined();
    TestBed.resetTestingModule();
    expect(switchButton((await render({ handheld: false })).panel)).toBeUndefined();
    TestBed.resetTestingModule();
    const oneCamera = DEVICES.filter((device) => device.deviceId !== 'back');
    expect(switchButton((await render({ handheld: true, devices: oneCamera })).panel)).toBeUndefined();
  });

  it('names devices the browser gives no label', async () => {
    const unnamed = DEVICES.map((device) => ({ ...device, label: '' }) as MediaDeviceInfo);
    const { select } = await render({ devices: unnamed });
    expect([...select('camera')!.options].map((option) => option.text.trim())).toEqual(['Camera 1', 'Camera 2']);
  });

  it('explains each problem with the browser’s way to fix it, in English and German', async () => {
    const { fixture, panel } = await render({ cameraProblem: 'in-use', microphoneProblem: 'denied' });
    const notices = () => [...panel.querySelectorAll('[role="status"]')].map((notice) => notice.textContent?.trim());
    expect(notices()).toEqual([`${EN.cameraInUse} ${EN.fixInUse}`, `${EN.microphoneDenied} ${EN.fixDenied}`]);
    TestBed.inject(I18n).locale.set('de');
    fixture.detectChanges();
    await fixture.whenStable();
    expect(notices()).toEqual([`${DE.cameraInUse} ${DE.fixInUse}`, `${DE.microphoneDenied} ${DE.fixDenied}`]);
    expect(panel.querySelector('#settings-title')?.textContent).toBe('Einstellungen');
  });

  it('closes by its button and by Escape', async () => {
    const { panel, closed } = await render();
    panel.querySelector<HTMLButtonElement>('.panel__header button')!.click();
    panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(closed()).toBe(2);
  });
});

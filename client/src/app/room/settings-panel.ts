import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, output } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import type { Strings } from '../core/i18n/strings';
import { CallService } from '../core/media/call.service';
import type { CaptureFailure, DeviceKind, DeviceOption, InputKind } from '../core/media/devices';

/** What to tell someone whose camera or microphone did not open, and the browser's way to fix it. */
export function deviceProblem(t: Strings, kind: InputKind, failure: CaptureFailure): string {
  const camera = kind === 'camera';
  switch (failure) {
    case 'denied':
      return `${camera ? t.cameraDenied : t.microphoneDenied} ${t.fixDenied}`;
    case 'in-use':
      return `${camera ? t.cameraInUse : t.microphoneInUse} ${t.fixInUse}`;
    case 'unavailable':
      return `${camera ? t.cameraUnavailable : t.microphoneUnavailable} ${t.fixUnavailable}`;
  }
}

/** One kind of device as Settings offers it. */
interface Choice {
  readonly kind: DeviceKind;
  readonly label: string;
  readonly options: readonly DeviceOption[];
  readonly selected: string | undefined;
  readonly problem: string | undefined;
}

/**
 * Settings, before and during the call: which camera, microphone and speaker
 * to use (the speaker only where the browser can choose one), and on phones
 * the other camera. A choice applies at once and is remembered in this
 * browser only.
 */
@Component({
  selector: 'raum-settings-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', role: 'dialog', 'aria-labelledby': 'settings-title', '(keydown.escape)': 'closed.emit()', tabindex: '-1' },
  template: `
    <div class="panel__header">
      <h2 id="settings-title" class="panel__title">{{ i18n.t().settings }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </div>
    @if (devices.canSwitchCamera() && call.camera()) {
      <button type="button" class="button" (click)="devices.switchCamera()">{{ i18n.t().switchCamera }}</button>
    }
    @for (choice of choices(); track choice.kind) {
      @if (choice.options.length) {
        <label class="field">
          <span class="field__label">{{ choice.label }}</span>
          <select class="field__input" [attr.data-device]="choice.kind" (change)="choose(choice.kind, $event)">
            @for (option of choice.options; track option.id) {
              <option [value]="option.id" [selected]="option.id === choice.selected">{{ option.label }}</option>
            }
          </select>
        </label>
      }
      @if (choice.problem; as problem) {
        <p class="notice" role="status">{{ problem }}</p>
      }
    }
    <p class="field__hint">{{ i18n.t().devicesRemembered }}</p>
  `,
})
export class SettingsPanel {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  protected readonly devices = this.call.devices;
  readonly closed = output<void>();

  protected readonly choices = computed<readonly Choice[]>(() => {
    const t = this.i18n.t();
    const selected = this.devices.selected();
    const cameraProblem = this.call.cameraProblem();
    const microphoneProblem = this.call.microphoneProblem();
    const choices: Choice[] = [
      {
        kind: 'camera',
        label: t.camera,
        options: named(this.devices.cameras(), t.camera, t),
        selected: selected.camera,
        problem: cameraProblem && deviceProblem(t, 'camera', cameraProblem),
      },
      {
        kind: 'microphone',
        label: t.microphone,
        options: named(this.devices.microphones(), t.microphone, t),
        selected: selected.microphone,
        problem: microphoneProblem && deviceProblem(t, 'microphone', microphoneProblem),
      },
    ];
    const speakers = this.devices.speakers();
    if (speakers.length) {
      // Chromium lists the system's output as "default"; elsewhere '' stands for it.
      const options = speakers.some((speaker) => speaker.id === 'default') ? speakers : [{ id: '', label: t.systemDefault }, ...speakers];
      choices.push({
        kind: 'speaker',
        label: t.speaker,
        options: named(options, t.speaker, t),
        selected: selected.speaker,
        problem: undefined,
      });
    }
    return choices;
  });

  constructor() {
    inject(DestroyRef).onDestroy(this.devices.watchChanges());
  }

  protected choose(kind: DeviceKind, event: Event): void {
    void this.devices.choose(kind, (event.target as HTMLSelectElement).value);
  }
}

/** Devices without a label (the browser hides them without a permission) get "Camera 1", "Camera 2"… */
function named(options: readonly DeviceOption[], kind: string, t: Strings): DeviceOption[] {
  return options.map((option, index) => (option.label ? option : { id: option.id, label: t.unnamedDevice(kind, index + 1) }));
}

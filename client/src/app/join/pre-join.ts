import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, output, signal } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { MicrophoneLevel } from '../core/media/devices';
import { DeviceToggles } from '../room/device-toggles';
import { MediaStreamDirective } from '../room/media-stream.directive';
import { deviceProblem, SettingsPanel } from '../room/settings-panel';

const NAME_KEY = 'raum.displayName';

/**
 * Before entering: a camera preview, a microphone level, an optional name,
 * the devices' on/off state and Settings to choose them. The chosen name and
 * devices stay in this browser only.
 */
@Component({
  selector: 'raum-pre-join',
  imports: [MediaStreamDirective, DeviceToggles, SettingsPanel],
  templateUrl: './pre-join.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreJoin {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly joinRequested = output<string>();
  protected readonly name = signal(readName());
  protected readonly settings = signal(false);
  protected readonly microphone = new MicrophoneLevel(() => this.call.devices.current('microphone'));
  protected readonly cameraProblem = computed(() => {
    const problem = this.call.cameraProblem();
    return problem && deviceProblem(this.i18n.t(), 'camera', problem);
  });
  protected readonly microphoneProblem = computed(() => {
    const problem = this.call.microphoneProblem();
    return problem && deviceProblem(this.i18n.t(), 'microphone', problem);
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.microphone.close());
  }

  protected setName(value: string): void {
    this.name.set(value);
  }

  protected join(event: Event): void {
    event.preventDefault();
    const name = this.name().trim();
    storeName(name);
    this.joinRequested.emit(name);
  }
}

function readName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeName(name: string): void {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
    else localStorage.removeItem(NAME_KEY);
  } catch {
    // Storage may be disabled; the name is simply not remembered.
  }
}

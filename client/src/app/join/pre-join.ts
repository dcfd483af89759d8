import { ChangeDetectionStrategy, Component, inject, output, signal } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { DeviceToggles } from '../room/device-toggles';
import { MediaStreamDirective } from '../room/media-stream.directive';

const NAME_KEY = 'raum.displayName';

/**
 * Before entering: a camera preview, an optional name and the devices' on/off
 * state. The chosen name stays in this browser only.
 */
@Component({
  selector: 'raum-pre-join',
  imports: [MediaStreamDirective, DeviceToggles],
  templateUrl: './pre-join.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreJoin {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly joinRequested = output<string>();
  protected readonly name = signal(readName());

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

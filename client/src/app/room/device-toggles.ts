import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { Icon } from './icon';

/** Microphone and camera on/off, the same before and during the call. */
@Component({
  selector: 'raum-device-toggles',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'device-toggles' },
  imports: [Icon],
  template: `
    <button type="button" class="button control" (click)="call.toggleMicrophone()">
      <raum-icon [name]="call.microphoneOn() ? 'microphone' : 'microphoneOff'" />
      <span class="control__label">{{ call.microphoneOn() ? i18n.t().microphoneOff : i18n.t().microphoneOn }}</span>
    </button>
    <button type="button" class="button control" (click)="call.toggleCamera()">
      <raum-icon [name]="call.camera() ? 'camera' : 'cameraOff'" />
      <span class="control__label">{{ call.camera() ? i18n.t().cameraOff : i18n.t().cameraOn }}</span>
    </button>
  `,
})
export class DeviceToggles {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
}

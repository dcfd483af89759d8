import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

/** Microphone and camera on/off, the same before and during the call. */
@Component({
  selector: 'raum-device-toggles',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'device-toggles' },
  template: `
    <button type="button" class="button" (click)="call.toggleMicrophone()">
      {{ call.microphoneOn() ? i18n.t().microphoneOff : i18n.t().microphoneOn }}
    </button>
    <button type="button" class="button" (click)="call.toggleCamera()">
      {{ call.camera() ? i18n.t().cameraOff : i18n.t().cameraOn }}
    </button>
  `,
})
export class DeviceToggles {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
}

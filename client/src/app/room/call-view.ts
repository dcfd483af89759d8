import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { roomUrl } from '../core/room-link';
import { DeviceToggles } from './device-toggles';
import { MediaStreamDirective } from './media-stream.directive';
import { VideoTile } from './video-tile';

/** The meeting itself: everyone's tiles, everyone's audio, and the controls. */
@Component({
  selector: 'raum-call-view',
  imports: [VideoTile, MediaStreamDirective, DeviceToggles],
  templateUrl: './call-view.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'call' },
})
export class CallView {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly roomId = input.required<string>();
  readonly displayName = input<string>('');
  protected readonly copied = signal(false);
  /** Columns for wide and for tall screens; rows share the height, so every tile fits without scrolling. */
  protected readonly columns = computed(() => {
    const count = this.call.participants().length + 1;
    return { landscape: Math.ceil(Math.sqrt(count)), portrait: count <= 3 ? 1 : Math.ceil(Math.sqrt(count / 2)) };
  });

  protected async copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(roomUrl(this.roomId()));
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2500);
    } catch {
      // Without clipboard access the address bar still holds the link.
    }
  }
}

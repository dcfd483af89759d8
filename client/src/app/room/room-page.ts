import { ChangeDetectionStrategy, Component, computed, inject, input, type OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { isRoomId } from '../core/room-link';
import { PreJoin } from '../join/pre-join';
import { CallView } from './call-view';

/** /r/:roomId — the whole life of one visit to a room, from pre-join to leaving. */
@Component({
  selector: 'raum-room-page',
  imports: [PreJoin, CallView, RouterLink],
  providers: [CallService],
  templateUrl: './room-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomPage implements OnInit {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  /** From the route; never logged, never stored. */
  readonly roomId = input.required<string>();
  protected readonly validRoom = computed(() => isRoomId(this.roomId()));
  protected readonly displayName = signal('');

  ngOnInit(): void {
    if (this.validRoom()) void this.call.preview();
  }

  protected join(displayName: string): void {
    this.displayName.set(displayName);
    void this.call.join(this.roomId(), displayName);
  }
}

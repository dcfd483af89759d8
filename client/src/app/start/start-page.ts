import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router } from '@angular/router';
import { I18n } from '../core/i18n/i18n';
import { newRoomId } from '../core/room-link';

/** The front door: one button that opens a new, unguessable meeting. */
@Component({
  selector: 'raum-start-page',
  templateUrl: './start-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'start-page' },
})
export class StartPage {
  protected readonly i18n = inject(I18n);
  private readonly router = inject(Router);

  protected newMeeting(): void {
    void this.router.navigate(['/r', newRoomId()]);
  }
}

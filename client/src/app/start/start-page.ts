import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { formatFragment, newRoomSecret } from '../core/e2ee/room-secret';
import { I18n } from '../core/i18n/i18n';
import { InstallPrompt } from '../core/update/install-prompt';
import { newRoomId } from '../core/room-link';

/**
 * The front door: one button that opens a new meeting with an unguessable id
 * and a fresh end-to-end secret in the link's fragment.
 */
@Component({
  selector: 'raum-start-page',
  templateUrl: './start-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'start-page' },
})
export class StartPage {
  protected readonly i18n = inject(I18n);
  protected readonly install = inject(InstallPrompt);
  private readonly router = inject(Router);

  protected readonly requireE2ee = signal(false);

  protected newMeeting(): void {
    void this.router.navigate(['/r', newRoomId()], { fragment: formatFragment(newRoomSecret(this.requireE2ee())) });
  }
}

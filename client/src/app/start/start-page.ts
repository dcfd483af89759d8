import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { formatFragment, newRoomSecret } from '../core/e2ee/room-secret';
import { I18n } from '../core/i18n/i18n';
import { InstallPrompt } from '../core/update/install-prompt';
import { newHostedRoom } from '../core/room-link';

/**
 * The front door: one button that opens a new meeting with an unguessable id
 * and, in the link's fragment, a fresh end-to-end secret and the host key
 * (whoever opens the meeting is its host).
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

  protected async newMeeting(): Promise<void> {
    const { roomId, hostKey } = await newHostedRoom();
    await this.router.navigate(['/r', roomId], { fragment: formatFragment(newRoomSecret(this.requireE2ee(), hostKey)) });
  }
}

import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { I18n } from './core/i18n/i18n';
import { AppUpdate } from './core/update/app-update';

@Component({
  selector: 'raum-root',
  imports: [RouterOutlet],
  template: `
    @if (update.offer()) {
      <div class="update" role="status">
        <span>{{ i18n.t().updateReady }}</span>
        <button type="button" class="button button--primary" (click)="update.applyNow()">{{ i18n.t().reloadToUpdate }}</button>
      </div>
    }
    <router-outlet />
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  // Created at start so <html lang> is right from the first paint.
  protected readonly i18n = inject(I18n);
  protected readonly update = inject(AppUpdate);
}

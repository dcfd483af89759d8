import { ChangeDetectionStrategy, Component, computed, inject, output } from '@angular/core';
import { SAS_SYMBOLS } from '../core/e2ee/sas';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

/** The short authentication string, and who holds the meeting's key. */
@Component({
  selector: 'raum-verify-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', role: 'dialog', 'aria-labelledby': 'verify-title' },
  template: `
    <header class="panel__header">
      <h2 id="verify-title" class="panel__title">{{ i18n.t().verifyTitle }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </header>
    <p>{{ i18n.t().verifyExplain }}</p>
    <ol class="sas" data-sas>
      @for (symbol of symbols(); track $index) {
        <li class="sas__symbol">
          <span class="sas__emoji" aria-hidden="true">{{ symbol.emoji }}</span>{{ symbol.name }}
        </li>
      }
    </ol>
    <ul class="panel__list">
      @for (participant of call.participants(); track participant.peerId) {
        <li>
          {{ participant.displayName || i18n.t().guest }} —
          @if (call.e2ee()?.verified?.has(participant.peerId)) {
            {{ i18n.t().verified }}
          } @else if (call.e2ee()?.unverified?.has(participant.peerId)) {
            <strong>{{ i18n.t().notVerified }}</strong>: {{ i18n.t().notVerifiedHint }}
          } @else {
            {{ i18n.t().securing }}
          }
        </li>
      }
    </ul>
  `,
})
export class VerifyPanel {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly closed = output<void>();
  protected readonly symbols = computed(() =>
    (this.call.e2ee()?.sas ?? []).map((index) => ({ emoji: SAS_SYMBOLS[index].emoji, name: SAS_SYMBOLS[index][this.i18n.locale()] })),
  );
}

import { ChangeDetectionStrategy, Component, computed, inject, output, signal } from '@angular/core';
import { SAS_SYMBOLS } from '../core/e2ee/sas';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

/** The meeting's verification code (from the MLS epoch authenticator), and who holds the keys. */
@Component({
  selector: 'raum-verify-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', role: 'dialog', 'aria-labelledby': 'verify-title', '(keydown.escape)': 'closed.emit()', tabindex: '-1' },
  template: `
    <div class="panel__header">
      <h2 id="verify-title" class="panel__title">{{ i18n.t().verifyTitle }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </div>
    <p>{{ i18n.t().verifyExplain }}</p>
    <ol class="sas" data-sas [attr.data-epoch]="call.e2ee()?.epoch">
      @for (symbol of symbols(); track $index) {
        <li class="sas__symbol">
          <span class="sas__emoji" aria-hidden="true">{{ symbol.emoji }}</span>{{ symbol.name }}
        </li>
      }
    </ol>
    @if (fullCode()) {
      <p data-full-code class="sas__full">
        {{ i18n.t().fullCode }}: <code>{{ call.e2ee()?.fullCode }}</code>
      </p>
    } @else if (call.e2ee()?.joined) {
      <button type="button" class="button" (click)="fullCode.set(true)">{{ i18n.t().showFullCode }}</button>
    }
    @switch (verification()?.status) {
      @case ('verified') {
        <p role="status" data-verification="verified">{{ i18n.t().verifiedThisState }}</p>
      }
      @case ('changed') {
        <p role="status" data-verification="changed">{{ changes() }}</p>
        <button type="button" class="button" (click)="call.markVerified()">{{ i18n.t().markVerified }}</button>
      }
      @default {
        @if (call.e2ee()?.joined) {
          <button type="button" class="button" (click)="call.markVerified()">{{ i18n.t().markVerified }}</button>
        }
      }
    }
    <ul class="panel__list">
      @for (participant of call.participants(); track participant.peerId) {
        <li>
          {{ participant.displayName || i18n.t().guest }} —
          @if (call.e2ee()?.members?.has(participant.peerId)) {
            {{ i18n.t().verified }}
          } @else if (call.e2ee()?.refused?.has(participant.peerId)) {
            <strong>{{ i18n.t().notVerified }}</strong>: {{ i18n.t().notVerifiedHint }}
          } @else {
            {{ i18n.t().securing }}
          }
        </li>
      }
      @for (ghost of call.e2ee()?.ghosts ?? []; track ghost) {
        <li data-ghost>
          <strong>{{ i18n.t().unseenMember }}</strong> — {{ i18n.t().inGroup }}
        </li>
      }
    </ul>
  `,
})
export class VerifyPanel {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly closed = output<void>();
  protected readonly fullCode = signal(false);
  protected readonly symbols = computed(() =>
    (this.call.e2ee()?.code ?? []).map((index) => ({ emoji: SAS_SYMBOLS[index].emoji, name: SAS_SYMBOLS[index][this.i18n.locale()] })),
  );
  protected readonly verification = computed(() => this.call.e2ee()?.verification);
  protected readonly changes = computed(() => {
    const verification = this.verification();
    if (verification?.status !== 'changed') return '';
    const t = this.i18n.t();
    const names = new Map(this.call.participants().map((participant) => [participant.peerId, participant.displayName]));
    const list = (peerIds: readonly string[]) => peerIds.map((peerId) => names.get(peerId) || t.guest).join(', ');
    return t.changedSince(list(verification.joined), list(verification.left));
  });
}

import { ChangeDetectionStrategy, Component, computed, inject, output } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

/** The meeting's encryption, as far as this browser can prove it; opens the verify panel. */
@Component({
  selector: 'raum-security-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'security' },
  template: `
    <button
      type="button"
      class="security__badge"
      [attr.data-level]="level()"
      (click)="verify.emit()"
      [attr.aria-label]="label() + '. ' + i18n.t().verify"
    >
      <svg class="security__icon" viewBox="0 0 24 24" aria-hidden="true">
        @if (level() === 'hop-by-hop' || level() === 'unseen-member') {
          <path d="M12 3 2 21h20L12 3Zm0 6v6m0 2.5v.5" />
        } @else {
          <path d="M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z" />
        }
      </svg>
      <span data-security>{{ label() }}</span>
    </button>
    @if (reason(); as reason) {
      <p class="security__reason" role="status">{{ reason }}</p>
    }
  `,
})
export class SecurityBadge {
  protected readonly i18n = inject(I18n);
  private readonly call = inject(CallService);
  readonly verify = output<void>();
  protected readonly level = computed(() => this.call.security().level);
  protected readonly label = computed(() => {
    const t = this.i18n.t();
    return { e2ee: t.e2ee, securing: t.securing, 'hop-by-hop': t.notE2ee, 'unseen-member': t.unseenMember }[this.level()];
  });
  protected readonly reason = computed(() => {
    const security = this.call.security();
    const t = this.i18n.t();
    if (security.level === 'unseen-member') return t.unseenMembers(security.count);
    if (security.level !== 'hop-by-hop') return undefined;
    if (security.self) return t.notE2eeSelf;
    return t.notE2eePeers(security.peers.map((name) => name || t.guest).join(', '));
  });
}

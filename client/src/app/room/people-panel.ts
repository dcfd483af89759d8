import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

interface PersonRow {
  readonly key: string;
  readonly name: string;
  readonly microphoneOn: boolean;
  readonly cameraOn: boolean;
  readonly hand: boolean;
  readonly host: boolean;
  /** Their encryption, in words; undefined for this person. */
  readonly keys: string | undefined;
  readonly warning: boolean;
}

/** Everyone in the meeting: microphone and camera, a raised hand, and whether they hold the keys. */
@Component({
  selector: 'raum-people-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', role: 'dialog', 'aria-labelledby': 'people-title', '(keydown.escape)': 'closed.emit()', tabindex: '-1' },
  template: `
    <div class="panel__header">
      <h2 id="people-title" class="panel__title">{{ i18n.t().peopleTitle }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </div>
    <ul class="people" data-people>
      @for (person of people(); track person.key) {
        <li class="people__row" [attr.data-person]="person.name">
          <span class="people__name">{{ person.name }}</span>
          @if (person.host) {
            <span class="people__state people__state--host" data-host>{{ i18n.t().host }}</span>
          }
          @if (person.hand) {
            <span class="people__state" role="img" [attr.aria-label]="i18n.t().handRaised">✋</span>
          }
          <span class="people__state">{{ person.microphoneOn ? i18n.t().microphoneIsOn : i18n.t().muted }}</span>
          <span class="people__state">{{ person.cameraOn ? i18n.t().cameraIsOn : i18n.t().cameraIsOff }}</span>
          @if (person.keys; as keys) {
            <span class="people__state" [class.people__state--warning]="person.warning">{{ keys }}</span>
          }
        </li>
      }
    </ul>
  `,
})
export class PeoplePanel {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly displayName = input<string>('');
  /** This person joined with the host link. */
  readonly host = input(false);
  readonly closed = output<void>();

  protected readonly people = computed<PersonRow[]>(() => {
    const t = this.i18n.t();
    const e2ee = this.call.e2ee();
    const verified = e2ee?.verification.status === 'verified';
    const self: PersonRow = {
      key: 'self',
      name: this.displayName() ? `${this.displayName()} (${t.you})` : t.you,
      microphoneOn: this.call.microphoneOn(),
      cameraOn: this.call.camera() !== undefined,
      hand: this.call.hand(),
      host: this.host(),
      keys: undefined,
      warning: false,
    };
    const others = this.call.participants().map((participant): PersonRow => {
      const refused = e2ee?.refused.has(participant.peerId) ?? false;
      const member = e2ee?.members.has(participant.peerId) ?? false;
      return {
        key: participant.peerId,
        name: participant.displayName || t.guestNumber(participant.number),
        microphoneOn: participant.microphone !== undefined && !participant.microphone.paused,
        cameraOn: participant.camera !== undefined && !participant.camera.paused,
        hand: participant.hand,
        host: participant.host,
        keys: refused ? t.notVerified : !member ? t.waitingForKeys : verified ? t.keyVerifiedByYou : t.holdsKeys,
        warning: refused,
      };
    });
    return [self, ...others];
  });
}

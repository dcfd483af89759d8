import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';

interface PersonRow {
  readonly key: string;
  /** Undefined for this person. */
  readonly peerId: string | undefined;
  readonly name: string;
  readonly microphoneOn: boolean;
  /** They have a microphone, on or off (a host may ask them to turn it on). */
  readonly hasMicrophone: boolean;
  readonly cameraOn: boolean;
  readonly hand: boolean;
  readonly host: boolean;
  /** Their encryption, in words; undefined for this person. */
  readonly keys: string | undefined;
  readonly warning: boolean;
}

/**
 * Everyone in the meeting: microphone and camera, a raised hand, and whether
 * they hold the keys. A host also finds the host controls here: mute one
 * person or everyone, ask someone to unmute, lock the meeting or switch
 * its lobby on, make a new link, remove
 * someone, make a co-host, end the meeting for all (after a second click).
 */
@Component({
  selector: 'raum-people-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'panel', role: 'dialog', 'aria-labelledby': 'people-title', '(keydown.escape)': 'closed.emit()', tabindex: '-1' },
  template: `
    <div class="panel__header">
      <h2 id="people-title" class="panel__title">{{ i18n.t().peopleTitle }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </div>
    @if (call.host.locked()) {
      <p class="people__locked" role="status" data-locked>{{ i18n.t().meetingIsLocked }}</p>
    }
    @if (call.host.lobby()) {
      <p class="people__locked" role="status" data-lobby>{{ i18n.t().lobbyIsOn }}</p>
    }
    @if (call.host.isHost()) {
      <div class="people__host" data-host-controls>
        <button type="button" class="button" (click)="act('muteEveryone')">{{ i18n.t().muteEveryone }}</button>
        <button type="button" class="button" [attr.aria-pressed]="call.host.locked()" (click)="lock(!call.host.locked())">
          {{ i18n.t().lockMeeting }}
        </button>
        <button type="button" class="button" [attr.aria-pressed]="call.host.lobby()" (click)="lobby(!call.host.lobby())">
          {{ i18n.t().lobby }}
        </button>
        <button type="button" class="button" (click)="call.host.renewLink()">{{ i18n.t().newLink }}</button>
        @if (ending()) {
          <button type="button" class="button button--danger" (click)="call.host.endForEveryone()">
            {{ i18n.t().endForEveryoneSure }}
          </button>
        } @else {
          <button type="button" class="button" (click)="ending.set(true)">{{ i18n.t().endForEveryone }}</button>
        }
      </div>
    }
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
          @if (call.host.isHost() ? person.peerId : undefined; as peerId) {
            <span class="people__actions">
              @if (person.microphoneOn) {
                <button type="button" class="button" (click)="act('mute', peerId)">
                  {{ i18n.t().muteOne(person.name) }}
                </button>
              } @else if (person.hasMicrophone) {
                <button type="button" class="button" (click)="act('askToUnmute', peerId)">
                  {{ i18n.t().askToUnmuteOne(person.name) }}
                </button>
              }
              @if (!person.host) {
                <button type="button" class="button" (click)="act('makeHost', peerId)">
                  {{ i18n.t().makeCoHost(person.name) }}
                </button>
              }
              <button type="button" class="button" (click)="act('remove', peerId)">{{ i18n.t().removeOne(person.name) }}</button>
            </span>
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
  readonly closed = output<void>();
  /** "End meeting for all" was clicked once: the next click ends it. */
  protected readonly ending = signal(false);

  /** A host request; one the server refuses (someone just left, a rate limit) changes nothing to show. */
  protected act(request: 'muteEveryone'): void;
  protected act(request: 'mute' | 'askToUnmute' | 'makeHost' | 'remove', peerId: string): void;
  protected act(request: 'muteEveryone' | 'mute' | 'askToUnmute' | 'makeHost' | 'remove', peerId = ''): void {
    const controls = this.call.host.controls;
    if (!controls) return;
    (request === 'muteEveryone' ? controls.muteEveryone() : controls[request](peerId)).catch(() => undefined);
  }

  protected lock(locked: boolean): void {
    this.call.host.controls?.lock(locked).catch(() => undefined);
  }

  protected lobby(on: boolean): void {
    this.call.host.controls?.setLobby(on).catch(() => undefined);
  }

  protected readonly people = computed<PersonRow[]>(() => {
    const t = this.i18n.t();
    const e2ee = this.call.e2ee();
    const verified = e2ee?.verification.status === 'verified';
    const self: PersonRow = {
      key: 'self',
      peerId: undefined,
      name: this.displayName() ? `${this.displayName()} (${t.you})` : t.you,
      microphoneOn: this.call.microphoneOn(),
      hasMicrophone: true,
      cameraOn: this.call.camera() !== undefined,
      hand: this.call.hand(),
      host: this.call.host.isHost(),
      keys: undefined,
      warning: false,
    };
    const others = this.call.participants().map((participant): PersonRow => {
      const refused = e2ee?.refused.has(participant.peerId) ?? false;
      const member = e2ee?.members.has(participant.peerId) ?? false;
      return {
        key: participant.peerId,
        peerId: participant.peerId,
        name: participant.displayName || t.guestNumber(participant.number),
        microphoneOn: participant.microphone !== undefined && !participant.microphone.paused,
        hasMicrophone: participant.microphone !== undefined,
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

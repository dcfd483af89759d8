import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import type { Reaction } from '../core/e2ee/group-content';
import type { Measured } from '../core/media/connection-quality';
import { I18n } from '../core/i18n/i18n';
import { Icon } from './icon';
import { MediaStreamDirective } from './media-stream.directive';

/** One person's tile (their video, or their initial while the camera is off), or a shared screen. */
@Component({
  selector: 'raum-video-tile',
  imports: [MediaStreamDirective, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'tile',
    '[class.tile--self]': 'self() && !screen()',
    '[class.tile--screen]': 'screen()',
    '[class.tile--speaking]': 'speaking()',
    '[attr.data-speaking]': 'speaking() || null',
    role: 'group',
    '[attr.aria-label]': 'label()',
  },
  template: `
    @if (showVideo()) {
      <video class="tile__video" [raumTrack]="video()" autoplay playsinline [muted]="true"></video>
    } @else {
      <div class="tile__avatar" aria-hidden="true">{{ initial() }}</div>
    }
    @if (hand()) {
      <span class="tile__hand" role="img" [attr.aria-label]="i18n.t().handRaised">✋</span>
    }
    @if (reaction(); as reaction) {
      <span class="tile__reaction" role="img" [attr.aria-label]="i18n.t().reactionNames[reaction]" data-reaction>{{ reaction }}</span>
    }
    <div class="tile__caption">
      <span class="tile__name">{{ label() }}</span>
      @if (!screen()) {
        @if (!showVideo()) {
          <span class="tile__state">{{ i18n.t().cameraIsOff }}</span>
        }
        @if (muted()) {
          <span class="tile__state">{{ i18n.t().muted }}</span>
        }
        @if (speaking()) {
          <span class="visually-hidden">{{ i18n.t().speaking }}</span>
        }
      }
      @if (note(); as note) {
        <span class="tile__state tile__state--warning">{{ note }}</span>
      }
      @if (connection(); as connection) {
        <span
          class="tile__quality"
          [attr.data-quality]="connection.quality"
          role="img"
          [attr.aria-label]="connection.text"
          [title]="connection.text"
          ><span></span><span></span><span></span
        ></span>
      }
    </div>
    @if (pinnable()) {
      <button
        type="button"
        class="tile__pin"
        [attr.aria-label]="(pinned() ? i18n.t().unpin : i18n.t().pin) + ': ' + label()"
        [attr.aria-pressed]="pinned()"
        (click)="pinToggle.emit()"
      >
        <raum-icon name="pin" />
      </button>
    }
  `,
})
export class VideoTile {
  protected readonly i18n = inject(I18n);
  readonly name = input<string | undefined>();
  /** For "Guest N" while someone gave no name. */
  readonly number = input<number | undefined>();
  readonly video = input<MediaStreamTrack | undefined>();
  readonly videoPaused = input(false);
  readonly muted = input(false);
  readonly self = input(false);
  /** This tile shows someone's shared screen, not their camera. */
  readonly screen = input(false);
  readonly speaking = input(false);
  readonly hand = input(false);
  readonly reaction = input<Reaction | undefined>();
  /** Offers to pin this tile large (remote people only). */
  readonly pinnable = input(false);
  readonly pinned = input(false);
  readonly pinToggle = output<void>();
  /** How this person's streams arrive here, measured in this browser. */
  readonly quality = input<Measured | undefined>();
  /** A warning about this person's encryption (not verified, not end-to-end encrypted). */
  readonly note = input<string | undefined>();

  protected readonly showVideo = computed(() => this.video() !== undefined && !this.videoPaused());
  private readonly person = computed(() => {
    const t = this.i18n.t();
    const number = this.number();
    if (this.self()) return this.name() ? `${this.name()} (${t.you})` : t.you;
    return this.name() || (number === undefined ? t.guest : t.guestNumber(number));
  });
  protected readonly label = computed(() => {
    const t = this.i18n.t();
    if (!this.screen()) return this.person();
    return this.self() ? t.yourScreen : t.screenOf(this.person());
  });
  protected readonly connection = computed(() => {
    const measured = this.quality();
    if (!measured) return undefined;
    const t = this.i18n.t();
    const { loss, fps, jitter } = measured.arrival;
    const details = t.connectionDetails(
      Math.round(loss * 100),
      fps && Math.round(fps),
      jitter === undefined ? undefined : Math.round(jitter * 1000),
    );
    return { quality: measured.quality, text: `${t.connection[measured.quality]}: ${details}` };
  });
  protected readonly initial = computed(() => (this.name() || this.label()).trim().charAt(0).toUpperCase());
}

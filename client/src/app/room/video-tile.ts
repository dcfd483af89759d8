import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { MediaStreamDirective } from './media-stream.directive';

/** One person's tile: their video, or their initial while the camera is off. */
@Component({
  selector: 'raum-video-tile',
  imports: [MediaStreamDirective],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'tile', '[class.tile--self]': 'self()', role: 'group', '[attr.aria-label]': 'label()' },
  template: `
    @if (showVideo()) {
      <video class="tile__video" [raumTrack]="video()" autoplay playsinline [muted]="true"></video>
    } @else {
      <div class="tile__avatar" aria-hidden="true">{{ initial() }}</div>
    }
    <div class="tile__caption">
      <span class="tile__name">{{ label() }}</span>
      @if (!showVideo()) {
        <span class="tile__state">{{ i18n.t().cameraIsOff }}</span>
      }
      @if (muted()) {
        <span class="tile__state">{{ i18n.t().muted }}</span>
      }
      @if (note(); as note) {
        <span class="tile__state tile__state--warning">{{ note }}</span>
      }
    </div>
  `,
})
export class VideoTile {
  protected readonly i18n = inject(I18n);
  readonly name = input<string | undefined>();
  readonly video = input<MediaStreamTrack | undefined>();
  readonly videoPaused = input(false);
  readonly muted = input(false);
  readonly self = input(false);
  /** A warning about this person's encryption (not verified, not end-to-end encrypted). */
  readonly note = input<string | undefined>();

  protected readonly showVideo = computed(() => this.video() !== undefined && !this.videoPaused());
  protected readonly label = computed(() => {
    const t = this.i18n.t();
    if (this.self()) return this.name() ? `${this.name()} (${t.you})` : t.you;
    return this.name() || t.guest;
  });
  protected readonly initial = computed(() => (this.name() || this.label()).trim().charAt(0).toUpperCase());
}

import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, effect, inject, input, output, viewChild } from '@angular/core';
import { MediaStreamDirective } from './media-stream.directive';

/**
 * Keeps the person on stage in a picture-in-picture window while the page is
 * in the background, where the browser offers that: Chromium asks through the
 * Media Session's "enterpictureinpicture" action once the person leaves a tab
 * that uses the camera or microphone, Safari through `autopictureinpicture`.
 * The window closes when the page is back, or when nobody is left to show.
 */
@Component({
  selector: 'raum-picture-in-picture',
  imports: [MediaStreamDirective],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'visually-hidden', 'aria-hidden': 'true' },
  template: `<video
    #video
    [raumTrack]="track()"
    [muted]="true"
    playsinline
    autopictureinpicture
    (enterpictureinpicture)="showing.emit(true)"
    (leavepictureinpicture)="showing.emit(false)"
  ></video>`,
})
export class PictureInPicture {
  /** The video to show; none closes the window. */
  readonly track = input<MediaStreamTrack | undefined>();
  /** The window opened (true) or closed: while open, its video must keep arriving though the page is hidden. */
  readonly showing = output<boolean>();
  private readonly video = viewChild.required<ElementRef<HTMLVideoElement>>('video');

  constructor() {
    const destroyRef = inject(DestroyRef);
    const session = 'mediaSession' in navigator ? navigator.mediaSession : undefined;
    const enter = () => void this.enter();
    try {
      session?.setActionHandler('enterpictureinpicture' as MediaSessionAction, enter);
    } catch {
      // This browser has no such action (it throws on names it does not know): no automatic window here.
    }
    const back = () => {
      if (document.visibilityState === 'visible') this.leave();
    };
    document.addEventListener('visibilitychange', back);
    effect(() => {
      if (!this.track()) this.leave();
    });
    destroyRef.onDestroy(() => {
      document.removeEventListener('visibilitychange', back);
      try {
        session?.setActionHandler('enterpictureinpicture' as MediaSessionAction, null);
      } catch {
        // Never registered.
      }
      this.leave();
    });
  }

  private async enter(): Promise<void> {
    const video = this.video().nativeElement;
    if (!this.track() || !document.pictureInPictureEnabled || document.pictureInPictureElement === video) return;
    try {
      await video.play();
      await video.requestPictureInPicture();
    } catch {
      // Refused (no gesture the browser accepts, or the video not ready): the call goes on without the window.
    }
  }

  private leave(): void {
    if (document.pictureInPictureElement && document.pictureInPictureElement === this.video().nativeElement) {
      document.exitPictureInPicture().catch(() => undefined);
    }
  }
}

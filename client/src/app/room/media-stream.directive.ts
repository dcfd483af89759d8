import { Directive, ElementRef, effect, inject, input } from '@angular/core';

/** Plays one track in a <video> or <audio> element (srcObject has no template binding). */
@Directive({ selector: 'video[raumTrack], audio[raumTrack]' })
export class MediaStreamDirective {
  readonly raumTrack = input<MediaStreamTrack | undefined>();
  private readonly element: HTMLMediaElement = inject(ElementRef).nativeElement;

  constructor() {
    effect(() => {
      const track = this.raumTrack();
      const current = this.element.srcObject as MediaStream | null;
      if (current?.getTracks()[0] === track) return;
      this.element.srcObject = track ? new MediaStream([track]) : null;
      // Autoplay may wait for a gesture; the element starts as soon as it is allowed.
      if (track) this.element.play().catch(() => undefined);
    });
  }
}

import { Directive, ElementRef, effect, inject, input } from '@angular/core';
import { CallService } from '../core/media/call.service';

/** Plays one track in a <video> or <audio> element (srcObject has no template binding), audio on the speaker chosen in Settings. */
@Directive({ selector: 'video[raumTrack], audio[raumTrack]' })
export class MediaStreamDirective {
  readonly raumTrack = input<MediaStreamTrack | undefined>();
  private readonly element: HTMLMediaElement = inject(ElementRef).nativeElement;
  private readonly audioOutput = inject(CallService, { optional: true })?.devices.audioOutput;

  constructor() {
    effect(() => {
      const track = this.raumTrack();
      const current = this.element.srcObject as MediaStream | null;
      if (current?.getTracks()[0] === track) return;
      this.element.srcObject = track ? new MediaStream([track]) : null;
      // Autoplay may wait for a gesture; the element starts as soon as it is allowed.
      if (track) this.element.play().catch(() => undefined);
    });
    effect(() => {
      // '' is the system's default output. Where setSinkId is missing, Settings offers no speaker choice.
      const sink = this.audioOutput?.() ?? '';
      const element = this.element;
      if (!(element instanceof HTMLAudioElement) || typeof element.setSinkId !== 'function' || element.sinkId === sink) return;
      // A device unplugged meanwhile: the audio stays where it plays.
      element.setSinkId(sink).catch(() => undefined);
    });
  }
}

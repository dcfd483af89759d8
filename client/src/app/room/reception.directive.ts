import { afterNextRender, DestroyRef, Directive, ElementRef, inject, output } from '@angular/core';
import type { Reception } from '../core/media/call-types';

/** The simulcast layer (0–2) for a tile this many device pixels wide: never more than it can show. */
export function layerFor(devicePixels: number): number {
  if (devicePixels <= 360) return 0;
  return devicePixels <= 720 ? 1 : 2;
}

/**
 * Reports how a remote video's tile is shown: whether any of it is on screen
 * (not scrolled away, not on another grid page, the page not hidden) and how
 * wide it is, so the SFU sends nothing for hidden tiles and no more pixels
 * than a tile shows.
 */
@Directive({ selector: '[raumReception]' })
export class ReceptionDirective {
  readonly raumReception = output<Reception>();

  constructor() {
    const element: HTMLElement = inject(ElementRef).nativeElement;
    const destroyRef = inject(DestroyRef);
    // Unknown until each observer's first report: a guess before that would pause a stream about to be shown.
    let intersecting: boolean | undefined;
    let width: number | undefined;
    const report = () => {
      if (intersecting === undefined || width === undefined) return;
      this.raumReception.emit({
        visible: intersecting && document.visibilityState === 'visible',
        layer: layerFor(width * devicePixelRatio),
      });
    };
    afterNextRender(() => {
      // A batch may hold several changes of this one tile: the last is the current one.
      const intersection = new IntersectionObserver((entries) => {
        intersecting = entries[entries.length - 1].isIntersecting;
        report();
      });
      const resize = new ResizeObserver((entries) => {
        width = entries[entries.length - 1].contentRect.width;
        report();
      });
      intersection.observe(element);
      resize.observe(element);
      document.addEventListener('visibilitychange', report);
      destroyRef.onDestroy(() => {
        intersection.disconnect();
        resize.disconnect();
        document.removeEventListener('visibilitychange', report);
      });
    });
  }
}

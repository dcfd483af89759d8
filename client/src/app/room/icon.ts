import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Line drawings on a 24×24 grid, stroked in the text colour; each is one SVG path. */
const ICONS = {
  microphone: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3',
  microphoneOff: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3M4 4l16 16',
  camera: 'M5 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zM15 10l6-3v10l-6-3',
  cameraOff: 'M5 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zM15 10l6-3v10l-6-3M3 3l18 18',
  screen: 'M3 5h18v11H3zM8 20h8M12 16v4M12 13V8M9.5 10.5 12 8l2.5 2.5',
  stopScreen: 'M3 5h18v11H3zM8 20h8M12 16v4M9.5 8l5 5M14.5 8l-5 5',
  hand: 'M8 13V6a1.5 1.5 0 0 1 3 0v5M11 10.5V4.5a1.5 1.5 0 0 1 3 0v6M14 10.5V6a1.5 1.5 0 0 1 3 0v7.5a7 7 0 0 1-7 7 6 6 0 0 1-4.7-2.3l-2.7-3.5a1.5 1.5 0 0 1 2.3-1.9L8 15',
  react: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM8 14a5 5 0 0 0 8 0M9 9.5v.5M15 9.5v.5',
  grid: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
  speaker: 'M3 4h18v11H3zM3 19h5M10 19h4M16 19h5',
  people: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 6.5M18 14a6 6 0 0 1 3.5 6',
  chat: 'M4 5h16v11H10l-6 4z',
  settings: 'M4 7h9M17 7h3M15 5v4M4 17h3M11 17h9M9 15v4',
  host: 'M8 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 12h9M17 12v3M20 12v2',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  pin: 'M9 3h6M10 3v6l-3 4h10l-3-4V3M12 13v8',
  previous: 'M15 5l-7 7 7 7',
  next: 'M9 5l7 7-7 7',
  copied: 'M5 12.5l4.5 4.5L19 7',
  leave: 'M3 14.5c5-5 13-5 18 0l-2.5 2.5-3.5-1.5v-2.8a10 10 0 0 0-6 0v2.8L5.5 17z',
} as const;

export type IconName = keyof typeof ICONS;

/** An icon beside (or, on small screens, instead of) a control's words; the words stay its accessible name. */
@Component({
  selector: 'raum-icon',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'icon' },
  template: `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path [attr.d]="path()" /></svg>`,
})
export class Icon {
  readonly name = input.required<IconName>();
  protected readonly path = computed(() => ICONS[this.name()]);
}

import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { REACTIONS, type Reaction } from '../core/e2ee/group-content';
import { I18n } from '../core/i18n/i18n';
import type { Reception } from '../core/media/call-types';
import { CallService } from '../core/media/call.service';
import { ChatPanel } from './chat-panel';
import { DeviceToggles } from './device-toggles';
import { MediaStreamDirective } from './media-stream.directive';
import { PeoplePanel } from './people-panel';
import { ReceptionDirective } from './reception.directive';
import { SecurityBadge } from './security-badge';
import { tileLayout } from './tile-layout';
import { VerifyPanel } from './verify-panel';
import { VideoTile } from './video-tile';

type Panel = 'verify' | 'chat' | 'people';

/** A screen shown large: someone else's first, else this person's own. */
interface Presentation {
  readonly peerId: string | undefined;
  readonly self: boolean;
  readonly name: string | undefined;
  readonly number: number | undefined;
  readonly track: MediaStreamTrack;
}

/** Matches the gap of .call__grid in call-view.scss (px). */
const GRID_GAP = 8;

/** The meeting itself: everyone's tiles, everyone's audio, and the controls. */
@Component({
  selector: 'raum-call-view',
  imports: [VideoTile, MediaStreamDirective, ReceptionDirective, DeviceToggles, SecurityBadge, VerifyPanel, ChatPanel, PeoplePanel],
  templateUrl: './call-view.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'call', '[class.call--panel]': 'panel() !== undefined' },
})
export class CallView {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  /** The whole link, fragment (the room secret) included. */
  readonly link = input.required<string>();
  readonly displayName = input<string>('');
  protected readonly copied = signal(false);
  protected readonly panel = signal<Panel | undefined>(undefined);
  protected readonly reacting = signal(false);
  protected readonly reactionChoices = REACTIONS;
  protected readonly presentation = computed<Presentation | undefined>(() => {
    const presenter = this.call.participants().find((participant) => participant.screen && !participant.screen.paused);
    if (presenter?.screen) {
      const { peerId, displayName: name, number, screen } = presenter;
      return { peerId, self: false, name, number, track: screen.track };
    }
    const own = this.call.screenShare.track();
    return own && { peerId: undefined, self: true, name: this.displayName(), number: undefined, track: own };
  });
  /** Chat lines seen while the chat was open; the rest are unread. */
  private readonly read = signal(0);
  protected readonly unread = computed(() => (this.panel() === 'chat' ? 0 : Math.max(0, this.call.chat().length - this.read())));
  private readonly grid = viewChild.required<ElementRef<HTMLElement>>('grid');
  private readonly gridSize = signal({ width: 0, height: 0 });
  /** The biggest tiles that fit everyone in the grid, recomputed as people come and go or the window changes. */
  protected readonly layout = computed(() => {
    const { width, height } = this.gridSize();
    return tileLayout(this.call.participants().length + 1, width, height, GRID_GAP);
  });

  constructor() {
    const destroyRef = inject(DestroyRef);

    afterNextRender(() => {
      const observer = new ResizeObserver(([entry]) =>
        this.gridSize.set({ width: entry.contentRect.width, height: entry.contentRect.height }),
      );
      observer.observe(this.grid().nativeElement);
      destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  /** A remote tile's size or visibility changed: the SFU sends what it shows, or nothing. */
  protected shown(peerId: string, reception: Reception): void {
    this.call.setReception(peerId, 'camera', reception);
  }

  protected react(reaction: Reaction): void {
    this.call.react(reaction);
    this.reacting.set(false);
  }

  protected toggle(panel: Panel): void {
    const closing = this.panel() === panel;
    if (this.panel() === 'chat' || panel === 'chat') this.read.set(this.call.chat().length);
    this.panel.set(closing ? undefined : panel);
  }

  /** A word under a person's tile when their encryption differs from the rest. */
  protected note(peerId: string): string | undefined {
    const state = this.call.e2ee();
    const t = this.i18n.t();
    if (state?.refused.has(peerId)) return t.notVerified;
    if (state?.withoutE2ee.peers.includes(peerId)) return t.notE2ee;
    return undefined;
  }

  protected async copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.link());
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2500);
    } catch {
      // Without clipboard access the address bar still holds the link.
    }
  }
}

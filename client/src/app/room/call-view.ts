import { NgTemplateOutlet } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { REACTIONS, type Reaction } from '../core/e2ee/group-content';
import { I18n } from '../core/i18n/i18n';
import type { Participant, Reception } from '../core/media/call-types';
import { CallService } from '../core/media/call.service';
import { ChatPanel } from './chat-panel';
import { DeviceToggles } from './device-toggles';
import { Icon } from './icon';
import { MediaStreamDirective } from './media-stream.directive';
import { PeoplePanel } from './people-panel';
import { PictureInPicture } from './picture-in-picture';
import { ReceptionDirective } from './reception.directive';
import { SecurityBadge } from './security-badge';
import { SettingsPanel } from './settings-panel';
import { tileLayout, tilesPerPage } from './tile-layout';
import { VerifyPanel } from './verify-panel';
import { VideoTile } from './video-tile';

type Panel = 'verify' | 'chat' | 'people' | 'settings';
type View = 'speaker' | 'grid';

/** Phones: below this width, a call of more than two shows the speaker large. */
const PHONE = '(max-width: 40rem)';

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
/** The smallest grid tile worth showing (CSS px); rather than smaller ones, the grid gets pages. */
const USEFUL_TILE = { width: 160, height: 90 };

/** The meeting itself: everyone's tiles, everyone's audio, and the controls. */
@Component({
  selector: 'raum-call-view',
  imports: [
    NgTemplateOutlet,
    VideoTile,
    MediaStreamDirective,
    ReceptionDirective,
    DeviceToggles,
    Icon,
    SecurityBadge,
    VerifyPanel,
    ChatPanel,
    PeoplePanel,
    PictureInPicture,
    SettingsPanel,
  ],
  templateUrl: './call-view.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'call', '[class.call--panel]': 'panel() !== undefined', '(document:keydown)': 'shortcut($event)' },
})
export class CallView {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  /** The whole link, fragment (the room secret) included. */
  /** The guest link: the room without its host key. */
  readonly link = input.required<string>();
  /** Only for a host: the link that makes its holder a host too. */
  readonly hostLink = input<string>();
  readonly displayName = input<string>('');
  /** Which link was just copied, shown for a moment. */
  protected readonly copied = signal<'guest' | 'host' | undefined>(undefined);
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
  private readonly phone = signal(matchMedia(PHONE).matches);
  /** The view the person chose; until then, speaker view on phones with more than two people, else the grid. */
  protected readonly chosenView = signal<View | undefined>(undefined);
  protected readonly view = computed<View>(
    () => this.chosenView() ?? (this.phone() && this.call.participants().length > 1 ? 'speaker' : 'grid'),
  );
  protected readonly pinned = signal<string | undefined>(undefined);
  /** The person shown large: the pinned one, else in speaker view the one speaking (or who spoke last). */
  protected readonly main = computed<Participant | undefined>(() => {
    const people = this.call.participants();
    if (this.presentation() || people.length === 0) return undefined;
    const pinned = people.find((participant) => participant.peerId === this.pinned());
    if (pinned || this.view() === 'grid') return pinned;
    return people.find((participant) => participant.peerId === this.call.speakers.activeSpeaker()) ?? people[0];
  });
  /** Something is shown large, and the rest go to a strip. */
  protected readonly focused = computed(() => this.presentation() !== undefined || this.main() !== undefined);
  /** The remote people in the grid or the strip. */
  protected readonly others = computed(() => this.call.participants().filter((participant) => participant !== this.main()));
  /**
   * What a picture-in-picture window shows: someone's shared screen, else the
   * first with a camera on of the person large, the one speaking, the rest.
   */
  protected readonly stage = computed<{ peerId: string; track: MediaStreamTrack; camera: boolean } | undefined>(() => {
    const presentation = this.presentation();
    if (presentation?.peerId) return { peerId: presentation.peerId, track: presentation.track, camera: false };
    const people = this.call.participants();
    const speaker = people.find((participant) => participant.peerId === this.call.speakers.activeSpeaker());
    const shown = [this.main(), speaker, ...people].find((participant) => participant?.camera && !participant.camera.paused);
    return shown?.camera && { peerId: shown.peerId, track: shown.camera.track, camera: true };
  });
  /** Whether the picture-in-picture window is open. */
  protected readonly pictureInPicture = signal(false);
  /** The person whose camera is in that window, and so keeps arriving while the page is hidden. */
  private windowed: string | undefined;
  /** Each remote camera tile's last report of how it is shown. */
  private readonly receptions = new Map<string, Reception>();
  /** Chat lines seen while the chat was open; the rest are unread. */
  private readonly read = signal(0);
  protected readonly unread = computed(() => (this.panel() === 'chat' ? 0 : Math.max(0, this.call.chat().length - this.read())));
  private readonly host: ElementRef<HTMLElement> = inject(ElementRef);
  /** What had focus before a panel opened. */
  private opener: HTMLElement | undefined;
  private readonly grid = viewChild.required<ElementRef<HTMLElement>>('grid');
  private readonly gridSize = signal({ width: 0, height: 0 });
  /** Tiles on one grid page: everyone, unless that would make the tiles too small (never before the grid was measured). */
  protected readonly perPage = computed(() => {
    const { width, height } = this.gridSize();
    const count = this.others().length + 1;
    if (this.focused() || width === 0 || height === 0) return count;
    return tilesPerPage(count, width, height, GRID_GAP, USEFUL_TILE);
  });
  protected readonly pages = computed(() => Math.ceil((this.others().length + 1) / this.perPage()));
  protected readonly chosenPage = signal(0);
  /** The page shown; the last one when people left and the chosen one is gone. */
  protected readonly page = computed(() => Math.min(this.chosenPage(), this.pages() - 1));
  /** The biggest tiles that fit a page of the grid, recomputed as people come and go or the window changes. */
  protected readonly layout = computed(() => {
    const { width, height } = this.gridSize();
    return tileLayout(Math.min(this.others().length + 1, this.perPage()), width, height, GRID_GAP);
  });

  constructor() {
    const destroyRef = inject(DestroyRef);

    const phone = matchMedia(PHONE);
    const phoneChanged = () => this.phone.set(phone.matches);
    phone.addEventListener('change', phoneChanged);
    destroyRef.onDestroy(() => phone.removeEventListener('change', phoneChanged));
    effect(() => {
      // Only a camera needs keeping: screens are never paused.
      const stage = this.stage();
      const windowed = this.pictureInPicture() && stage?.camera ? stage.peerId : undefined;
      const before = this.windowed;
      if (windowed === before) return;
      this.windowed = windowed;
      untracked(() => [before, windowed].forEach((peerId) => peerId && this.receive(peerId)));
    });
    afterNextRender(() => {
      const observer = new ResizeObserver(([entry]) =>
        this.gridSize.set({ width: entry.contentRect.width, height: entry.contentRect.height }),
      );
      observer.observe(this.grid().nativeElement);
      destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  /** A remote tile's size or visibility changed: the SFU sends what it shows, or nothing. */
  /** Who waits in the lobby, as a host sees them: what to say, and the name for the buttons. */
  protected readonly knocks = computed(() => {
    const t = this.i18n.t();
    return this.call.host.knocks().map(({ knockId, name }) => ({
      knockId,
      who: name || t.guest,
      label: name === undefined ? t.knockUnreadable : t.knocking(name || t.guest),
    }));
  });

  /** Admit or deny; one that is gone meanwhile (they left, another host answered) changes nothing to show. */
  protected answer(knockId: string, admit: boolean): void {
    const controls = this.call.host.controls;
    (admit ? controls?.admit(knockId) : controls?.deny(knockId))?.catch(() => undefined);
  }

  protected shown(peerId: string, reception: Reception): void {
    this.receptions.set(peerId, reception);
    this.receive(peerId);
  }

  /** As the tile reported, except that the camera in the picture-in-picture window counts as shown. */
  private receive(peerId: string): void {
    const reception = this.receptions.get(peerId);
    if (reception) this.call.setReception(peerId, 'camera', this.windowed === peerId ? { ...reception, visible: true } : reception);
  }

  /** Whether the grid's tile at `index` (0 is this person's own) is on another page than the one shown. */
  protected elsewhere(index: number): boolean {
    return Math.floor(index / this.perPage()) !== this.page();
  }

  protected togglePin(peerId: string): void {
    this.pinned.set(this.pinned() === peerId ? undefined : peerId);
  }

  /** M mutes or unmutes, V turns the camera off or on; never while typing. */
  protected shortcut(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, textarea, select, [contenteditable]')) return;
    const key = event.key.toLowerCase();
    if (key === 'm') void this.call.toggleMicrophone();
    else if (key === 'v') void this.call.toggleCamera();
  }

  protected react(reaction: Reaction): void {
    this.call.react(reaction);
    this.reacting.set(false);
  }

  /** Opens or closes a panel; focus goes into it, and back to where it was when it closes. */
  protected toggle(panel: Panel): void {
    const closing = this.panel() === panel;
    if (this.panel() === 'chat' || panel === 'chat') this.read.set(this.call.chat().length);
    this.panel.set(closing ? undefined : panel);
    if (closing) {
      this.opener?.focus();
      this.opener = undefined;
      return;
    }
    this.opener ??= document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    setTimeout(() => this.host.nativeElement.querySelector<HTMLElement>('.panel')?.focus());
  }

  /** A word under a person's tile when their encryption differs from the rest. */
  protected note(peerId: string): string | undefined {
    const state = this.call.e2ee();
    const t = this.i18n.t();
    if (state?.refused.has(peerId)) return t.notVerified;
    if (state?.withoutE2ee.peers.includes(peerId)) return t.notE2ee;
    return undefined;
  }

  protected async copyLink(which: 'guest' | 'host'): Promise<void> {
    try {
      await navigator.clipboard.writeText((which === 'host' ? this.hostLink() : undefined) ?? this.link());
      this.copied.set(which);
      setTimeout(() => this.copied.set(undefined), 2500);
    } catch {
      // Without clipboard access the address bar still holds the link.
    }
  }
}

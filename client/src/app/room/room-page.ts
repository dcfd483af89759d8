import { ChangeDetectionStrategy, Component, computed, effect, inject, input, type OnInit, signal, untracked } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { formatFragment, guestSecret, parseFragment } from '../core/e2ee/room-secret';
import { I18n } from '../core/i18n/i18n';
import type { Strings } from '../core/i18n/strings';
import type { CallFailure } from '../core/media/call-types';
import { CallService } from '../core/media/call.service';
import { isRoomId, roomUrl } from '../core/room-link';
import { PreJoin } from '../join/pre-join';
import { CallView } from './call-view';

type Words = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

/** What the page says for each way a call can end without the person leaving. */
const FAILURE_WORDS = {
  'room-full': 'roomFull',
  'e2ee-required': 'e2eeRequired',
  'connection-lost': 'connectionLost',
  'server-busy': 'serverBusy',
  'upgrade-required': 'updateRequired',
  'forged-host-link': 'forgedHostLink',
  'meeting-ended': 'meetingEnded',
  removed: 'removedByHost',
  'meeting-locked': 'meetingLockedOut',
  denied: 'denied',
  'link-withdrawn': 'linkWithdrawn',
  'session-expired': 'serverError',
  'server-error': 'serverError',
} as const satisfies Record<CallFailure, Words>;

/** /r/:roomId — the whole life of one visit to a room, from pre-join to leaving. */
@Component({
  selector: 'raum-room-page',
  imports: [PreJoin, CallView, RouterLink],
  providers: [CallService],
  templateUrl: './room-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomPage implements OnInit {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  /** From the route; never logged, never stored. */
  readonly roomId = input.required<string>();
  /** The link's fragment: the room secret, which only this browser sees. */
  private readonly room = parseFragment(inject(ActivatedRoute).snapshot.fragment);
  /** Why this page cannot offer to join, if it cannot. */
  protected readonly problem = computed<'invalid' | 'incomplete' | 'e2ee-required' | undefined>(() => {
    if (!isRoomId(this.roomId())) return 'invalid';
    if (!this.room) return 'incomplete';
    const required = this.room.requireE2ee || this.call.operatorRequiresE2ee();
    return required && !this.call.canEncrypt ? 'e2ee-required' : undefined;
  });
  /** The link as this person holds it now (a host may make a new one during the call). */
  private readonly current = computed(() => this.call.link() ?? this.room);
  protected readonly link = computed(() => {
    const room = this.current();
    return room ? roomUrl(this.roomId(), formatFragment(guestSecret(room))) : '';
  });
  protected readonly hostLink = computed(() => {
    const room = this.current();
    return room?.hostKey ? roomUrl(this.roomId(), formatFragment(room)) : undefined;
  });
  protected readonly displayName = signal('');
  protected readonly failure = computed(() => {
    const failure = this.call.failure();
    return failure && this.i18n.t()[FAILURE_WORDS[failure]];
  });

  constructor() {
    // After a new link, a reload (or a bookmark) must carry it: the old one no longer gets in.
    effect(() => {
      const room = this.current();
      // A bare '#…' would resolve against <base href="/"> and lose the room's path.
      if (room && room !== this.room) history.replaceState(history.state, '', `${location.pathname}#${formatFragment(room)}`);
    });
    // The operator's rule is known only once connected: then let go of camera and microphone at once.
    effect(() => {
      if (this.problem() === 'e2ee-required') void untracked(() => this.call.leave());
    });
  }

  ngOnInit(): void {
    if (this.room && !this.problem()) void this.call.preview(this.room);
  }

  protected reload(): void {
    location.reload();
  }

  protected join(displayName: string): void {
    this.displayName.set(displayName);
    void this.call.join(this.roomId(), displayName);
  }
}

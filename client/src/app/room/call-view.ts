import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import { ChatPanel } from './chat-panel';
import { DeviceToggles } from './device-toggles';
import { SecurityBadge } from './security-badge';
import { VerifyPanel } from './verify-panel';
import { MediaStreamDirective } from './media-stream.directive';
import { VideoTile } from './video-tile';

/** The meeting itself: everyone's tiles, everyone's audio, and the controls. */
@Component({
  selector: 'raum-call-view',
  imports: [VideoTile, MediaStreamDirective, DeviceToggles, SecurityBadge, VerifyPanel, ChatPanel],
  templateUrl: './call-view.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'call' },
})
export class CallView {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  /** The whole link, fragment (the room secret) included. */
  readonly link = input.required<string>();
  readonly displayName = input<string>('');
  protected readonly copied = signal(false);
  protected readonly panel = signal<'verify' | 'chat' | undefined>(undefined);
  /** Chat lines seen while the chat was open; the rest are unread. */
  private readonly read = signal(0);
  protected readonly unread = computed(() => (this.panel() === 'chat' ? 0 : Math.max(0, this.call.chat().length - this.read())));
  /** Columns for wide and for tall screens; rows share the height, so every tile fits without scrolling. */
  protected readonly columns = computed(() => {
    const count = this.call.participants().length + 1;
    return { landscape: Math.ceil(Math.sqrt(count)), portrait: count <= 3 ? 1 : Math.ceil(Math.sqrt(count / 2)) };
  });

  protected toggle(panel: 'verify' | 'chat'): void {
    const closing = this.panel() === panel;
    if (this.panel() === 'chat' || panel === 'chat') this.read.set(this.call.chat().length);
    this.panel.set(closing ? undefined : panel);
  }

  /** A word under a person's tile when their encryption differs from the rest. */
  protected note(peerId: string): string | undefined {
    const state = this.call.e2ee();
    const t = this.i18n.t();
    if (state?.unverified.has(peerId)) return t.notVerified;
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

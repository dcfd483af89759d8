import { ChangeDetectionStrategy, Component, ElementRef, effect, inject, output, signal, viewChild } from '@angular/core';
import { I18n } from '../core/i18n/i18n';
import { CallService } from '../core/media/call.service';
import type { ChatLine } from '../core/media/chat-log';

const MAX_MESSAGE_LENGTH = 2000;

/** The meeting's chat: end-to-end encrypted, kept only while this page is open. */
@Component({
  selector: 'raum-chat-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'panel panel--chat',
    role: 'dialog',
    'aria-labelledby': 'chat-title',
    '(keydown.escape)': 'closed.emit()',
    tabindex: '-1',
  },
  template: `
    <div class="panel__header">
      <h2 id="chat-title" class="panel__title">{{ i18n.t().chat }}</h2>
      <button type="button" class="button" (click)="closed.emit()">{{ i18n.t().close }}</button>
    </div>
    <ol class="chat" #log aria-live="polite">
      @for (line of call.chat(); track $index) {
        <li class="chat__line" [class.chat__line--self]="line.self">
          <span class="chat__name">{{ sender(line) }}</span>
          <time class="chat__time" [attr.datetime]="line.at.toISOString()">{{ time(line.at) }}</time>
          <span class="chat__text">{{ line.text }}</span>
        </li>
      } @empty {
        <li class="notice">{{ i18n.t().chatEmpty }}</li>
      }
    </ol>
    <form class="chat__form" (submit)="send($event)">
      <label class="field chat__field">
        <span class="field__label">{{ i18n.t().chatLabel }}</span>
        <input
          class="field__input"
          name="message"
          autocomplete="off"
          [attr.maxlength]="maxLength"
          [value]="draft()"
          (input)="draft.set($any($event.target).value)"
        />
      </label>
      <button type="submit" class="button button--primary">{{ i18n.t().send }}</button>
    </form>
  `,
})
export class ChatPanel {
  protected readonly i18n = inject(I18n);
  protected readonly call = inject(CallService);
  readonly closed = output<void>();
  protected readonly draft = signal('');
  protected readonly maxLength = MAX_MESSAGE_LENGTH;
  private readonly log = viewChild.required<ElementRef<HTMLElement>>('log');

  constructor() {
    effect(() => {
      this.call.chat();
      const log = this.log().nativeElement;
      queueMicrotask(() => log.scrollTo({ top: log.scrollHeight }));
    });
  }

  protected sender(line: ChatLine): string {
    const t = this.i18n.t();
    if (line.self) return t.you;
    return line.name || (line.number === undefined ? t.guest : t.guestNumber(line.number));
  }

  /** Hours and minutes in the reader's language; links and all else stay plain text, never fetched. */
  protected time(at: Date): string {
    return at.toLocaleTimeString(this.i18n.locale(), { hour: '2-digit', minute: '2-digit' });
  }

  protected send(event: Event): void {
    event.preventDefault();
    const text = this.draft().slice(0, MAX_MESSAGE_LENGTH);
    if (!text.trim()) return;
    this.draft.set('');
    void this.call.sendChat(text);
  }
}

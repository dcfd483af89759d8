import { signal } from '@angular/core';
import type { ChatMessage, Participant } from './call-types';

const MAX_LINES = 500;

/** A chat line as shown: the sender's name is taken when the message arrives. */
export interface ChatLine {
  readonly self: boolean;
  readonly name: string | undefined;
  /** For "Guest N" when they gave no name. */
  readonly number: number | undefined;
  readonly text: string;
  readonly at: Date;
}

/** The chat of this page's call, newest last, in memory only: it goes when the call ends. */
export class ChatLog {
  readonly #lines = signal<readonly ChatLine[]>([]);
  readonly lines = this.#lines.asReadonly();

  add({ self, text, at }: ChatMessage, sender: Participant | undefined): void {
    const line = { self, name: sender?.displayName, number: sender?.number, text, at };
    this.#lines.update((lines) => [...lines, line].slice(-MAX_LINES));
  }

  clear(): void {
    this.#lines.set([]);
  }
}

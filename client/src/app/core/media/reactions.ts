import { signal } from '@angular/core';
import type { Reaction } from '../e2ee/group-content';

/** How long a reaction stays on a tile. */
export const REACTION_SHOWN_MS = 4000;

/** The reactions shown on tiles now, by peer id ('self' for this person); each fades after a few seconds. */
export class ReactionBoard {
  readonly #shown = signal<ReadonlyMap<string, Reaction>>(new Map());
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly shown = this.#shown.asReadonly();

  show(key: string, emoji: Reaction): void {
    clearTimeout(this.#timers.get(key));
    this.#shown.update((shown) => new Map(shown).set(key, emoji));
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.#shown.update((shown) => {
          const next = new Map(shown);
          next.delete(key);
          return next;
        });
      }, REACTION_SHOWN_MS),
    );
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#shown.set(new Map());
  }
}

/** Listeners by event name, typed by an event map: `{ change: [value: T] }`. */
export class Listeners<Events extends Record<string, unknown[]>> {
  readonly #byEvent: { [E in keyof Events]?: Set<(...args: Events[E]) => void> } = {};

  /** Returns the function that stops listening. */
  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    const listeners = (this.#byEvent[event] ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of [...(this.#byEvent[event] ?? [])]) listener(...args);
  }
}

import { computed, Injectable, signal } from '@angular/core';

/** The browser's offer to install the app (Chromium's beforeinstallprompt; not a standard type yet). */
interface InstallPromptEvent extends Event {
  prompt(): Promise<unknown>;
}

/**
 * "Install app", where the browser offers installation: its own prompt is
 * kept and shown when the person asks for it, once.
 */
@Injectable({ providedIn: 'root' })
export class InstallPrompt {
  readonly #event = signal<InstallPromptEvent | undefined>(undefined);
  readonly available = computed(() => this.#event() !== undefined);

  constructor() {
    addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.#event.set(event as InstallPromptEvent);
    });
    addEventListener('appinstalled', () => this.#event.set(undefined));
  }

  async install(): Promise<void> {
    const event = this.#event();
    this.#event.set(undefined);
    await event?.prompt();
  }
}

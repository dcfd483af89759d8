import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { SwUpdate } from '@angular/service-worker';

/** When the page last reloaded to update itself (a time, nothing about anyone). */
const RELOADED_AT = 'raum-update-reload';
/** A second reload this soon means the update did not help: stop instead of looping. */
const LOOP_GUARD_MS = 60_000;

/**
 * The app's updates through its service worker: a new version that is ready
 * is offered with "Reload to update", never in the middle of a call; an app
 * older than its server fetches the newest version and reloads at once.
 */
@Injectable({ providedIn: 'root' })
export class AppUpdate {
  private readonly updates = inject(SwUpdate, { optional: true });
  readonly #ready = signal(false);
  readonly #calls = signal(0);
  /** A new version is ready and no call is under way: offer the reload. */
  readonly offer = computed(() => this.#ready() && this.#calls() === 0);

  constructor() {
    if (!this.updates?.isEnabled) return;
    const subscription = this.updates.versionUpdates.subscribe((event) => event.type === 'VERSION_READY' && this.#ready.set(true));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }

  /** A call began: no update is offered until the returned function says it ended. */
  callStarted(): () => void {
    this.#calls.update((calls) => calls + 1);
    let ended = false;
    return () => {
      if (!ended) this.#calls.update((calls) => calls - 1);
      ended = true;
    };
  }

  /** The person asked for the new version. */
  async applyNow(): Promise<void> {
    try {
      await this.updates?.activateUpdate();
    } catch {
      // A plain reload fetches the new version too.
    }
    this.reloadPage();
  }

  /** Updates and reloads; false (and no reload) when it already did so a moment ago. */
  async reload(): Promise<boolean> {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < LOOP_GUARD_MS) return false;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    try {
      if (this.updates?.isEnabled && (await this.updates.checkForUpdate())) await this.updates.activateUpdate();
    } catch {
      // Without the service worker a plain reload fetches the new version.
    }
    this.reloadPage();
    return true;
  }

  protected reloadPage(): void {
    location.reload();
  }
}

import { inject, Injectable } from '@angular/core';
import { SwUpdate } from '@angular/service-worker';

/** When the page last reloaded to update itself (a time, nothing about anyone). */
const RELOADED_AT = 'raum-update-reload';
/** A second reload this soon means the update did not help: stop instead of looping. */
const LOOP_GUARD_MS = 60_000;

/**
 * An installed app can meet a newer server: then it fetches the newest
 * version through the service worker and reloads into it.
 */
@Injectable({ providedIn: 'root' })
export class AppUpdate {
  private readonly updates = inject(SwUpdate, { optional: true });

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

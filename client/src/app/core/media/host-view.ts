import { signal } from '@angular/core';
import type { Call } from './call';
import type { HostControls, Knocker } from './host-controls';

/** What a host did to this person, shown until they turn their microphone on. */
export type FromHost = 'muted' | 'asked-to-unmute';

/**
 * Host controls as the page shows them: whether this person is a host (by
 * the host link, or made co-host), what a host did to them, and the
 * controls of the call they are in.
 */
export class HostView {
  readonly isHost = signal(false);
  /** Nobody new gets in (but hosts). */
  readonly locked = signal(false);
  /** Newcomers wait in the lobby until a host lets them in. */
  readonly lobby = signal(false);
  /** Who waits in the lobby (a host's view; empty for everyone else). */
  readonly knocks = signal<readonly Knocker[]>([]);
  readonly fromHost = signal<FromHost | undefined>(undefined);
  #call: Call | undefined;

  constructor(
    /** This person's microphone (whether it is on, and turning it off, never on, as its own toggle does), and leaving. */
    private readonly person: { readonly on: () => boolean; readonly turnOff: () => Promise<unknown>; readonly leave: () => Promise<void> },
  ) {}

  /** The controls of the call joined; undefined outside one. */
  get controls(): HostControls | undefined {
    return this.#call?.host;
  }

  /** Follows what hosts do in `call` for as long as it is the page's current one. */
  follow(call: Call, current: () => boolean): void {
    call.host.on('added', () => current() && this.isHost.set(call.host.isHost));
    call.host.on('locked', (locked) => current() && this.locked.set(locked));
    call.host.on('lobby', (on) => current() && this.lobby.set(on));
    call.host.on('knocks', () => current() && this.knocks.set(call.host.knocks));
    call.host.on('muted', () => {
      if (!current()) return;
      this.fromHost.set('muted');
      // The SFU paused it already; here it goes off as if this person had muted it.
      void this.person.turnOff();
    });
    call.host.on('asked-to-unmute', () => current() && !this.person.on() && this.fromHost.set('asked-to-unmute'));
  }

  /** `call` is joined (undefined: none is). */
  joined(call: Call | undefined): void {
    this.#call = call;
    this.isHost.set(call?.host.isHost ?? false);
    this.locked.set(call?.host.locked ?? false);
    this.lobby.set(call?.host.lobby ?? false);
    this.knocks.set(call?.host.knocks ?? []);
    if (!call) this.fromHost.set(undefined);
  }

  /** Ends the meeting for everyone else, then leaves it; if the server refused, the meeting goes on, with this person in it. */
  async endForEveryone(): Promise<void> {
    const ended = await this.#call?.host.endForEveryone().then(
      () => true,
      () => false,
    );
    if (ended) await this.person.leave();
  }

  /** Withdraws the meeting's link for a new one (see Call.renewLink); refused, the old one stays. */
  async renewLink(): Promise<void> {
    await this.#call?.renewLink().catch(() => undefined);
  }

  /** This person turned their microphone on: what a host said about it is done. */
  unmuted(): void {
    this.fromHost.set(undefined);
  }
}

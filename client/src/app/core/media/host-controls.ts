import type { SignallingChannel } from '../signalling/signalling-channel';
import { Listeners } from '../events';

/** What hosts do that this person hears of, each with the peer id of the host who did it. */
export interface HostEvents extends Record<string, unknown[]> {
  /** A host turned this person's microphone off. */
  muted: [by: string];
  /** A host asks this person to turn their microphone on (only they can). */
  'asked-to-unmute': [by: string];
  /** Someone (perhaps this person) was made a co-host. */
  added: [peerId: string];
  /** A host locked or unlocked the meeting. */
  locked: [locked: boolean];
  /** A host ended the meeting for everyone, or removed this person: this session is over. */
  dismissed: [reason: 'meeting-ended' | 'removed', by: string];
}

/**
 * A meeting's host controls from one participant's side: the requests a
 * host sends, and what every participant hears of them. The server checks
 * each request (a non-host gets `forbidden`); this side only knows whether
 * to show the controls. A host can turn someone's microphone off, never on.
 */
export class HostControls {
  readonly #listeners = new Listeners<HostEvents>();
  #isHost = false;
  #locked = false;

  constructor(
    private readonly signalling: SignallingChannel,
    private readonly selfId: () => string,
  ) {}

  /** Joined with the host link, or made a co-host since. */
  get isHost(): boolean {
    return this.#isHost;
  }

  /** Nobody new gets in (but hosts). */
  get locked(): boolean {
    return this.#locked;
  }

  on<E extends keyof HostEvents>(event: E, listener: (...args: HostEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /** From the join: whether the server made this participant a host, and whether the meeting is locked. */
  joined({ host, locked }: { readonly host: boolean; readonly locked: boolean }): void {
    this.#isHost = host;
    this.#locked = locked;
  }

  /** Follows the server's notifications; returns the functions that stop following. */
  listen(): Array<() => void> {
    const { signalling } = this;
    return [
      signalling.on('mutedByHost', ({ by }) => this.#listeners.emit('muted', by)),
      signalling.on('unmuteAsked', ({ by }) => this.#listeners.emit('asked-to-unmute', by)),
      signalling.on('hostAdded', ({ peerId }) => {
        if (peerId === this.selfId()) this.#isHost = true;
        this.#listeners.emit('added', peerId);
      }),
      signalling.on('meetingLocked', ({ locked }) => {
        this.#locked = locked;
        this.#listeners.emit('locked', locked);
      }),
      signalling.on('meetingEnded', ({ by }) => this.#listeners.emit('dismissed', 'meeting-ended', by)),
      signalling.on('removedByHost', ({ by }) => this.#listeners.emit('dismissed', 'removed', by)),
    ];
  }

  async mute(peerId: string): Promise<void> {
    await this.signalling.request('muteParticipant', { peerId });
  }

  async muteEveryone(): Promise<void> {
    await this.signalling.request('muteEveryone', {});
  }

  async askToUnmute(peerId: string): Promise<void> {
    await this.signalling.request('askToUnmute', { peerId });
  }

  async lock(locked: boolean): Promise<void> {
    await this.signalling.request('lockMeeting', { locked });
  }

  /** Ends someone's session; the others' next commit takes them out of the group, so their keys open nothing new. */
  async remove(peerId: string): Promise<void> {
    await this.signalling.request('removeParticipant', { peerId });
  }

  async makeHost(peerId: string): Promise<void> {
    await this.signalling.request('makeHost', { peerId });
  }

  /** Ends the meeting for everyone else; the caller then leaves it too. */
  async endForEveryone(): Promise<void> {
    await this.signalling.request('endMeeting', {});
  }
}

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
  /** A host ended the meeting for everyone: this session is over. */
  ended: [by: string];
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

  constructor(
    private readonly signalling: SignallingChannel,
    private readonly selfId: () => string,
  ) {}

  /** Joined with the host link, or made a co-host since. */
  get isHost(): boolean {
    return this.#isHost;
  }

  on<E extends keyof HostEvents>(event: E, listener: (...args: HostEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /** From the join: whether the server made this participant a host. */
  joined(host: boolean): void {
    this.#isHost = host;
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
      signalling.on('meetingEnded', ({ by }) => this.#listeners.emit('ended', by)),
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

  async makeHost(peerId: string): Promise<void> {
    await this.signalling.request('makeHost', { peerId });
  }

  /** Ends the meeting for everyone else; the caller then leaves it too. */
  async endForEveryone(): Promise<void> {
    await this.signalling.request('endMeeting', {});
  }
}

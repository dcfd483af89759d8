import type { Joined } from '@raum/protocol';
import type { SignallingChannel } from '../signalling/signalling-channel';
import { Listeners } from '../events';

/** Someone waiting in the lobby, as a host sees them. */
export interface Knocker {
  readonly knockId: string;
  /** Undefined when it does not open with this meeting's link (another link's, or altered): nobody vouches for it. */
  readonly name: string | undefined;
}

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
  /** A host switched the lobby on or off. */
  lobby: [on: boolean];
  /** Someone knocked, or left the lobby (hosts only). */
  knocks: [];
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
  readonly #knocks = new Map<string, Knocker>();
  /** Knocks whose names are being opened; one that ends meanwhile is never shown. */
  readonly #opening = new Set<string>();
  #isHost = false;
  #locked = false;
  #lobby = false;

  constructor(
    private readonly signalling: SignallingChannel,
    private readonly selfId: () => string,
    /** Opens a knock's sealed name with this meeting's link. */
    private readonly openName: (knockId: string, sealed: string) => Promise<string | undefined>,
  ) {}

  /** Joined with the host link, or made a co-host since. */
  get isHost(): boolean {
    return this.#isHost;
  }

  /** Nobody new gets in (but hosts). */
  get locked(): boolean {
    return this.#locked;
  }

  /** Newcomers wait until a host lets them in. */
  get lobby(): boolean {
    return this.#lobby;
  }

  /** Who waits in the lobby, first come first. */
  get knocks(): readonly Knocker[] {
    return [...this.#knocks.values()];
  }

  on<E extends keyof HostEvents>(event: E, listener: (...args: HostEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /** From the join: whether the server made this participant a host, the meeting's lock and lobby, and who waits. */
  joined(host: boolean, { locked, lobby, knocks }: Pick<Joined, 'locked' | 'lobby' | 'knocks'>): void {
    this.#isHost = host;
    this.#locked = locked;
    this.#lobby = lobby;
    for (const { knockId, name } of knocks) this.knocked(knockId, name);
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
      signalling.on('lobbyChanged', ({ on }) => {
        this.#lobby = on;
        this.#listeners.emit('lobby', on);
      }),
      signalling.on('knocked', ({ knockId, name }) => this.knocked(knockId, name)),
      signalling.on('knockEnded', ({ knockId }) => {
        this.#opening.delete(knockId);
        if (this.#knocks.delete(knockId)) this.#listeners.emit('knocks');
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

  async setLobby(on: boolean): Promise<void> {
    await this.signalling.request('setLobby', { on });
  }

  async admit(knockId: string): Promise<void> {
    await this.signalling.request('admitKnock', { knockId });
  }

  async deny(knockId: string): Promise<void> {
    await this.signalling.request('denyKnock', { knockId });
  }

  /** From now on the server lets in only joins with this proof (of the new link). */
  async renewLink(linkProof: string): Promise<void> {
    await this.signalling.request('renewLink', { linkProof });
  }

  /** Ends the meeting for everyone else; the caller then leaves it too. */
  async endForEveryone(): Promise<void> {
    await this.signalling.request('endMeeting', {});
  }

  private knocked(knockId: string, sealed: string | undefined): void {
    this.#opening.add(knockId);
    void (sealed === undefined ? Promise.resolve(undefined) : this.openName(knockId, sealed)).then((name) => {
      if (!this.#opening.delete(knockId)) return;
      this.#knocks.set(knockId, { knockId, name });
      this.#listeners.emit('knocks');
    });
  }
}

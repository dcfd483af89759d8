import { fromBase64Url, toBase64Url, utf8 } from './bytes';
import { parseContent, type GroupContent, type Profile } from './group-content';
import type { MediaEncryption } from './media-encryption';
import type { Member } from './mls/group';
import type { ProposedCommit } from './mls/group';
import type { GroupSnapshot, MlsApi } from './mls/mls-api';
import type { RoomSecret } from './room-secret';
import { describeGroup, type E2eeState } from './e2ee-state';

/** How long a member that is not first in line waits, per place in line, before it commits a pending change itself. */
export const COMMIT_FALLBACK_MS = 1500;
/**
 * How long someone who left may stay in the group before they count as a
 * member nobody sees: their Remove is normally committed within this time.
 */
export const REMOVAL_GRACE_MS = 2 * COMMIT_FALLBACK_MS + 2000;

export type { E2eeMode, E2eeState, Verification } from './e2ee-state';

/** The delivery service: the server, which orders commits and relays what it cannot read. */
export interface Delivery {
  publishKeyPackage(keyPackage: string): Promise<unknown>;
  /** 'stale' when another commit already took the epoch. */
  commit(commit: { commit: string; welcome?: string; added: string[]; removed: string[] }): Promise<'accepted' | 'stale'>;
  sendGroupMessage(payload: string): Promise<unknown>;
}

/**
 * One participant's end-to-end encryption for one call, on the meeting's
 * MLS group (RFC 9420, run in a worker):
 * - it starts the group or publishes a KeyPackage to be added; every
 *   credential carries a MAC from the link's secret, and every epoch the
 *   link's PSK, so nobody without the link is added or reads a commit;
 * - it commits Adds for newcomers and Removes for those who left: the first
 *   in line (lowest leaf) at once, the others later if it did not; the
 *   server orders commits and refuses stale ones;
 * - after every epoch change, each member's frame secret (MLS exporter,
 *   by leaf) goes to the media worker, which encrypts in SFrame form;
 * - chat and names are MLS application messages, signed by their sender;
 * - a new link from a host brings a new PSK: the host commits a new epoch
 *   with it, and whoever holds only the old link follows no epoch after;
 * - the roster is the group's, checked against the server's.
 */
export class E2eeSession {
  readonly #listeners = new Set<(state: E2eeState) => void>();
  readonly #messageListeners = new Set<(from: string, content: GroupContent) => void>();
  /** KeyPackages of peers waiting to be added, base64url, by peer id. */
  readonly #waiting = new Map<string, string>();
  /** Who the server says is in the room (without us). */
  readonly #roster = new Set<string>();
  readonly #refused = new Set<string>();
  /** Who left and is waiting for their Remove, with the timer that makes them a ghost if it does not come. */
  readonly #departed = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #keyWaiters = new Map<string, Array<() => void>>();
  #selfId = '';
  #group: GroupSnapshot | undefined;
  #verifiedAt: { epoch: number; members: ReadonlySet<string> } | undefined;
  #profile: Profile = { name: '', hand: false };
  #fallback: ReturnType<typeof setTimeout> | undefined;
  #rekeyRetry: ReturnType<typeof setTimeout> | undefined;
  #room: RoomSecret;
  /** Who may hand this participant a new link: the meeting's hosts, as the server shows them. */
  trustLinkFrom: (peerId: string) => boolean = () => false;
  #state: E2eeState;
  #work: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    room: RoomSecret,
    /** Undefined when this browser cannot transform media: it sends and receives plain frames. */
    readonly media: MediaEncryption | undefined,
    private readonly mls: MlsApi,
    private readonly delivery: Delivery,
  ) {
    this.#room = room;
    this.#state = this.computeState();
  }

  get state(): E2eeState {
    return this.#state;
  }

  get requireE2ee(): boolean {
    return this.#room.requireE2ee;
  }

  /** The meeting's link as this participant holds it. */
  get link(): RoomSecret {
    return this.#room;
  }

  onChange(listener: (state: E2eeState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Chat and names from the other members, authenticated. */
  onMessage(listener: (from: string, content: GroupContent) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  /** Joined as `selfId`, with the others the server lists: starts the group or asks to be added. */
  start(selfId: string, roomId: string, group: 'create' | 'join', others: readonly string[]): Promise<void> {
    this.#selfId = selfId;
    for (const peerId of others) this.#roster.add(peerId);
    return this.serially(async () => {
      // Both workers must run before anything depends on them: one whose code never loaded fails the join here.
      const [keyPackage] = await Promise.all([
        this.mls.init(this.#room.secret, roomId, { peerId: selfId, e2ee: !!this.media }, this.#room.admission),
        this.media?.started(),
      ]);
      if (group === 'create') await this.entered(await this.mls.start());
      // Refused only when the server made us the group's creator meanwhile (createGroup follows).
      else await this.delivery.publishKeyPackage(toBase64Url(keyPackage)).catch(() => undefined);
    });
  }

  /** The server lost the group (everyone in it left): this participant starts a new one. */
  createGroup(): Promise<void> {
    return this.serially(async () => {
      if (!this.#group) await this.entered(await this.mls.start());
    });
  }

  peerJoined(peerId: string): void {
    this.#roster.add(peerId);
    this.publish();
  }

  /** Someone left: they are removed from the group, so their keys open nothing sent after the commit. */
  peerLeft(peerId: string): Promise<void> {
    this.#roster.delete(peerId);
    clearTimeout(this.#departed.get(peerId));
    this.#departed.set(
      peerId,
      setTimeout(() => this.#departed.delete(peerId) && this.publish(), REMOVAL_GRACE_MS),
    );
    this.#waiting.delete(peerId);
    this.#refused.delete(peerId);
    this.publish();
    return this.serially(() => this.reconcile());
  }

  keyPackage(from: string, keyPackage: string): Promise<void> {
    return this.serially(async () => {
      const bytes = fromBase64Url(keyPackage);
      if (!bytes || !this.#group) return;
      // One that a holder of the link did not make for this peer is never added.
      if (!(await this.mls.admissible(bytes, from))) {
        this.#refused.add(from);
        return this.publish();
      }
      this.#waiting.set(from, keyPackage);
      await this.reconcile();
    });
  }

  welcome(welcome: string): Promise<void> {
    return this.serially(async () => {
      const bytes = fromBase64Url(welcome);
      if (this.#group || !bytes) return;
      try {
        await this.entered(await this.mls.join(bytes));
      } catch {
        // Not for us, or it does not verify: we keep waiting for one that does.
      }
    });
  }

  commit(commit: string): Promise<void> {
    return this.serially(async () => {
      const bytes = fromBase64Url(commit);
      if (!this.#group || !bytes) return;
      try {
        await this.entered(await this.mls.processCommit(bytes));
      } catch {
        // A commit that does not verify (a member without the link's PSK, a forgery) changes nothing.
      }
    });
  }

  /** Seals chat or a name for the group; undefined before this participant is in it. */
  async seal(content: GroupContent): Promise<string | undefined> {
    return this.serially(async () => (this.#group ? this.sealContent(content) : undefined));
  }

  /** Opens an application message relayed from `from`; anything forged, replayed or altered is dropped. */
  open(from: string, payload: string): Promise<void> {
    return this.serially(async () => {
      const bytes = fromBase64Url(payload);
      const opened = this.#group && bytes ? await this.mls.open(bytes) : undefined;
      const content = opened && parseContent(opened.data);
      // The signer must be the member the server relayed it from.
      if (!opened || !content || opened.from.peerId !== from) return;
      if (content.t === 'link') {
        // Taken at once, before the commit with its PSK (which follows it) is processed.
        const secret = fromBase64Url(content.k);
        if (!secret || !this.trustLinkFrom(from)) return;
        await this.mls.renew(secret);
        this.#room = { ...this.#room, secret, admission: this.#room.admission ?? this.#room.secret };
      }
      for (const listener of this.#messageListeners) listener(from, content);
    });
  }

  /** This person's name and hand, for every newcomer once added (the caller sends changes to the members). */
  setProfile(profile: Profile): GroupContent {
    this.#profile = { name: profile.name.trim(), hand: profile.hand };
    return { t: 'profile', ...this.#profile };
  }

  get profile(): Profile {
    return this.#profile;
  }

  /** The person compared the code with the others: true for this epoch, and what changes later is shown. */
  markVerified(): void {
    if (!this.#group) return;
    this.#verifiedAt = { epoch: this.#group.epoch, members: new Set(this.#state.members) };
    this.publish();
  }

  /** Resolves once `peerId` is in the group with this participant (or after `timeoutMs`). */
  keyReady(peerId: string, timeoutMs: number): Promise<void> {
    if (this.#state.members.has(peerId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const waiters = this.#keyWaiters.get(peerId) ?? [];
      waiters.push(() => (clearTimeout(timer), resolve()));
      this.#keyWaiters.set(peerId, waiters);
    });
  }

  /**
   * This host made a new link (`next`, see renewedSecret): from now on its
   * PSK goes into every commit; the members get its secret in the group and
   * a commit starts an epoch under it at once.
   */
  renewLink(next: RoomSecret): Promise<void> {
    return this.serially(async () => {
      await this.mls.renew(next.secret);
      this.#room = next;
      if (!this.#group) return;
      await this.delivery.sendGroupMessage(await this.sealContent({ t: 'link', k: toBase64Url(next.secret) }));
      await this.rekey();
    });
  }

  /** The call is over: both workers (and every key in them) go. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#fallback);
    clearTimeout(this.#rekeyRetry);
    for (const timer of this.#departed.values()) clearTimeout(timer);
    this.media?.terminate();
    this.mls.close();
    this.#listeners.clear();
    this.#messageListeners.clear();
  }

  /** A new epoch: its keys go to the media worker, the roster and code change, and pending changes are looked at. */
  private async entered(group: GroupSnapshot): Promise<void> {
    const previous = this.#group;
    this.#group = group;
    const known = new Set(previous?.members.map((member) => member.peerId));
    const added = group.members.some((member) => member.peerId !== this.#selfId && !known.has(member.peerId));
    // We send under the new epoch at once: a newcomer holds nothing older, and whoever was removed nothing newer.
    // Members that have not processed the commit yet hold such frames (in the media worker) until they have.
    for (const { leaf, secret } of group.secrets) {
      const member = group.members.find((candidate) => candidate.leaf === leaf);
      if (member) this.media?.setKey(member.peerId, group.epoch, leaf, secret);
    }
    for (const peerId of known) {
      if (group.members.some((member) => member.peerId === peerId)) continue;
      this.media?.forget(peerId);
      clearTimeout(this.#departed.get(peerId));
      this.#departed.delete(peerId);
    }
    for (const member of group.members) {
      this.#waiting.delete(member.peerId);
      for (const resolve of this.#keyWaiters.get(member.peerId) ?? []) resolve();
      this.#keyWaiters.delete(member.peerId);
    }
    this.publish();
    // Newcomers (and, after our own arrival, everyone) learn our name and hand, end-to-end encrypted.
    if (added && (this.#profile.name || this.#profile.hand)) {
      const profile = await this.sealContent({ t: 'profile', ...this.#profile });
      // Not awaited: while a busy server is asked again, commits go on being processed. One that never
      // gets through leaves this person shown as "Guest"; the group goes on.
      void this.delivery.sendGroupMessage(profile).catch(() => undefined);
    }
    await this.reconcile();
  }

  /**
   * Adds those waiting who are in the room, removes members who are not.
   * The member first in line commits at once; the others wait their turn,
   * in case it is gone or its commit lost a race.
   */
  private async reconcile(): Promise<void> {
    clearTimeout(this.#fallback);
    const group = this.#group;
    if (!group || this.#closed) return;
    const adds = [...this.#waiting].filter(([peerId]) => this.#roster.has(peerId));
    const removes = group.members.filter((member) => member.peerId !== this.#selfId && !this.#roster.has(member.peerId));
    if (adds.length === 0 && removes.length === 0) return;
    const line = group.members
      .filter((member) => member.peerId === this.#selfId || this.#roster.has(member.peerId))
      .sort((a, b) => a.leaf - b.leaf);
    const place = line.findIndex((member) => member.peerId === this.#selfId);
    if (place > 0) {
      this.#fallback = setTimeout(() => void this.serially(() => this.commitChanges(adds, removes)), place * COMMIT_FALLBACK_MS);
      return;
    }
    await this.commitChanges(adds, removes);
  }

  private async commitChanges(adds: Array<[string, string]>, removes: readonly Member[]): Promise<void> {
    const stillWaiting = adds.filter(([peerId]) => this.#waiting.has(peerId) && this.#roster.has(peerId));
    const members = new Set(this.#group?.members.map((member) => member.peerId));
    const stillThere = removes.filter((member) => members.has(member.peerId) && !this.#roster.has(member.peerId));
    const proposal = await this.mls.propose(
      stillWaiting.flatMap(([peerId, keyPackage]) => {
        const bytes = fromBase64Url(keyPackage);
        return bytes ? [{ peerId, keyPackage: bytes }] : [];
      }),
      stillThere.map((member) => member.peerId),
    );
    if (!proposal) return;
    // A stale commit is followed by the one that won, which brings us back here; a failed one (a rate limit) is tried again.
    if ((await this.offer(proposal)) === 'failed') {
      this.#fallback = setTimeout(() => void this.serially(() => this.reconcile()), COMMIT_FALLBACK_MS);
    }
  }

  /** A new epoch under the current link's PSK; tried again when another commit (perhaps under the old PSK) won. */
  private async rekey(): Promise<void> {
    const proposal = await this.mls.rekey();
    if (proposal && (await this.offer(proposal)) !== 'accepted') {
      this.#rekeyRetry = setTimeout(() => void this.serially(() => this.rekey()), COMMIT_FALLBACK_MS);
    }
  }

  /** Our commit to the server, which orders commits: accepted, its epoch is ours; otherwise it is void. */
  private async offer(proposal: ProposedCommit): Promise<'accepted' | 'stale' | 'failed'> {
    let outcome: 'accepted' | 'stale' | 'failed';
    try {
      outcome = await this.delivery.commit({
        commit: toBase64Url(proposal.commit),
        ...(proposal.welcome ? { welcome: toBase64Url(proposal.welcome) } : {}),
        added: [...proposal.added],
        removed: [...proposal.removed],
      });
    } catch {
      outcome = 'failed';
    }
    if (outcome === 'accepted') await this.entered(await this.mls.confirm());
    else await this.mls.discard();
    return outcome;
  }

  private async sealContent(content: GroupContent): Promise<string> {
    return toBase64Url(await this.mls.seal(utf8(JSON.stringify(content))));
  }

  private publish(): void {
    this.#state = this.computeState();
    for (const listener of this.#listeners) listener(this.#state);
  }

  private computeState(): E2eeState {
    const state = describeGroup({
      group: this.#group,
      selfId: this.#selfId,
      canEncrypt: !!this.media,
      requireE2ee: this.#room.requireE2ee,
      roster: this.#roster,
      departed: this.#departed,
      refused: this.#refused,
      verifiedAt: this.#verifiedAt,
    });
    this.media?.setMode(state.mode === 'e2ee' ? { encrypt: true, strict: true } : { encrypt: false, strict: false });
    return state;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#work.then(work);
    this.#work = next.catch(() => undefined);
    return next;
  }
}

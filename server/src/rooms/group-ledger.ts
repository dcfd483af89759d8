import { RaumError } from '../common/errors';

/** MLS wire values (RFC 9420 §6): mls10, and the private-message wire format with a commit inside. */
const MLS10 = 1;
const WIRE_PRIVATE = 2;
const CONTENT_COMMIT = 3;

/** What the delivery service reads of a commit: which group and epoch it is for. Nothing else is in clear. */
export interface CommitHeader {
  readonly groupId: string;
  readonly epoch: number;
}

/** RFC 9000 variable-length integers, as MLS uses them for vector lengths. */
function readVarint(bytes: Buffer, offset: number): { value: number; next: number } | undefined {
  if (offset >= bytes.length) return undefined;
  const prefix = bytes[offset] >> 6;
  const length = 1 << prefix;
  if (prefix === 3 || offset + length > bytes.length) return undefined;
  let value = bytes[offset] & 0x3f;
  for (let index = 1; index < length; index++) value = value * 256 + bytes[offset + index];
  return { value, next: offset + length };
}

/** The group and epoch of an MLS PrivateMessage carrying a commit; undefined for anything else. */
export function readCommitHeader(bytes: Buffer): CommitHeader | undefined {
  if (bytes.length < 4 || bytes.readUInt16BE(0) !== MLS10 || bytes.readUInt16BE(2) !== WIRE_PRIVATE) return undefined;
  const length = readVarint(bytes, 4);
  if (!length || length.value > 255) return undefined;
  const epochAt = length.next + length.value;
  if (epochAt + 9 > bytes.length || bytes[epochAt + 8] !== CONTENT_COMMIT) return undefined;
  const epoch = bytes.readBigUInt64BE(epochAt);
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { groupId: bytes.subarray(length.next, epochAt).toString('base64url'), epoch: Number(epoch) };
}

export type Admission = 'create' | 'join';

/** Nobody holds the group any more: `creator` starts a new one and adds those whose KeyPackages come with it. */
export interface Restart {
  readonly creator: string;
  readonly keyPackages: ReadonlyArray<[string, string]>;
}

/** What an accepted commit changes for the room, so the gateway can route it. */
export interface AcceptedCommit {
  readonly epoch: number;
  /** Members who receive the commit: everyone in the group before it but its sender. */
  readonly recipients: readonly string[];
  /** Newcomers who receive the Welcome. */
  readonly welcomed: readonly string[];
  /** KeyPackages still waiting, which the newcomers have not seen: now they may add them too. */
  readonly waiting: ReadonlyArray<[string, string]>;
}

/**
 * The room's MLS delivery service, as routing state only: which peers are
 * in the group (as their committers said), the group's current epoch, and
 * the KeyPackages of peers waiting to be added. It orders commits: the
 * first for an epoch wins, later ones are stale. It holds no key and reads
 * nothing but a commit's group id and epoch.
 */
export class GroupLedger {
  readonly #members = new Set<string>();
  /** KeyPackages of peers waiting for a Welcome, in arrival order. */
  readonly #waiting = new Map<string, string>();
  #epoch = 0;
  #groupId: string | undefined;

  get epoch(): number {
    return this.#epoch;
  }

  get members(): ReadonlySet<string> {
    return this.#members;
  }

  /** A joining peer starts the group when nobody holds it, and waits for a Welcome otherwise. */
  admit(peerId: string): Admission {
    if (this.#members.size > 0) return 'join';
    this.reset(peerId);
    return 'create';
  }

  /**
   * A waiting peer's KeyPackage; returns who should see it (the members).
   * When nobody holds the group (its last member left after this peer was
   * told to join, before this KeyPackage came), nobody could add it: the
   * group restarts instead, with the first waiting peer as its creator.
   */
  keyPackage(peerId: string, keyPackage: string): readonly string[] | Restart {
    if (this.#members.has(peerId)) throw new RaumError('invalid-state', 'already in the group');
    this.#waiting.set(peerId, keyPackage);
    if (this.#members.size > 0) return [...this.#members];
    return this.restart() ?? [];
  }

  /** Orders a commit: the first for the current epoch (from a member) is accepted, any other is stale. */
  commit(from: string, commit: Buffer, added: readonly string[], removed: readonly string[]): AcceptedCommit {
    if (!this.#members.has(from)) throw new RaumError('invalid-state', 'only members of the group commit');
    // MLS forbids it, and it could leave the group without members while others wait.
    if (removed.includes(from)) throw new RaumError('bad-request', 'commit: a member cannot remove itself');
    const header = readCommitHeader(commit);
    if (!header) throw new RaumError('bad-request', 'commit: not an MLS commit');
    if (header.epoch !== this.#epoch || (this.#groupId !== undefined && header.groupId !== this.#groupId)) {
      throw new RaumError('stale-epoch', `commit for epoch ${header.epoch}; the group is at ${this.#epoch}`);
    }
    const welcomed = added.filter((peerId) => this.#waiting.has(peerId));
    if (welcomed.length !== added.length) throw new RaumError('not-found', 'commit: someone added is not waiting to join');
    const recipients = [...this.#members].filter((peerId) => peerId !== from);
    this.#groupId = header.groupId;
    this.#epoch++;
    for (const peerId of welcomed) {
      this.#waiting.delete(peerId);
      this.#members.add(peerId);
    }
    for (const peerId of removed) this.#members.delete(peerId);
    return { epoch: this.#epoch, recipients, welcomed, waiting: [...this.#waiting] };
  }

  /**
   * A peer left the room. When the group has nobody left, the first waiting
   * peer starts a new one: returned with the KeyPackages it should add.
   */
  left(peerId: string): Restart | undefined {
    this.#waiting.delete(peerId);
    this.#members.delete(peerId);
    return this.#members.size > 0 ? undefined : this.restart();
  }

  /** The first waiting peer starts a new group, with the KeyPackages of the others waiting. */
  private restart(): Restart | undefined {
    const creator = this.#waiting.keys().next().value;
    if (creator === undefined) return undefined;
    this.reset(creator);
    return { creator, keyPackages: [...this.#waiting] };
  }

  private reset(creator: string): void {
    this.#waiting.delete(creator);
    this.#members.clear();
    this.#members.add(creator);
    this.#epoch = 0;
    this.#groupId = undefined;
  }
}

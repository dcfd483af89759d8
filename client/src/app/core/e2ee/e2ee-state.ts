import type { GroupSnapshot } from './mls/mls-api';
import { verificationCode } from './sas';

export type E2eeMode = 'e2ee' | 'hop-by-hop';

/** What changed in the group since this person compared the code with the others. */
export type Verification =
  | { readonly status: 'unverified' }
  | { readonly status: 'verified' }
  | { readonly status: 'changed'; readonly joined: readonly string[]; readonly left: readonly string[] };

export interface E2eeState {
  /** e2ee: every frame is end-to-end encrypted; hop-by-hop: DTLS-SRTP only, because someone's browser cannot. */
  readonly mode: E2eeMode;
  /** Who cannot encrypt media (peer ids), and whether this browser cannot. */
  readonly withoutE2ee: { readonly self: boolean; readonly peers: readonly string[] };
  /** Whether this participant is in the meeting's MLS group (it holds the keys). */
  readonly joined: boolean;
  /** The others in the MLS group: they hold the keys. */
  readonly members: ReadonlySet<string>;
  /**
   * In the MLS group but not among the people the server shows: someone
   * holds keys without a tile (never shown, or gone and still not removed
   * after REMOVAL_GRACE_MS).
   */
  readonly ghosts: readonly string[];
  /** Shown by the server but not in the group (yet, or ever): they get no keys. */
  readonly outside: ReadonlySet<string>;
  /** Asked to be added without the link's proof (a wrong or forged link): never added. */
  readonly refused: ReadonlySet<string>;
  readonly epoch: number;
  /** The verification code: eight indexes into SAS_SYMBOLS (48 bits of the epoch authenticator). */
  readonly code: readonly number[];
  /** The whole epoch authenticator, as hex in groups of four. */
  readonly fullCode: string;
  readonly verification: Verification;
}

/** What the session knows, to describe the group from this participant's side. */
export interface GroupFacts {
  readonly group: GroupSnapshot | undefined;
  readonly selfId: string;
  /** This browser encrypts media (it has encoded transforms). */
  readonly canEncrypt: boolean;
  /** The link admits only browsers that encrypt. */
  readonly requireE2ee: boolean;
  /** Who the server says is in the room (without us). */
  readonly roster: ReadonlySet<string>;
  /** Who left and is still waiting for their Remove. */
  readonly departed: ReadonlyMap<string, unknown>;
  readonly refused: ReadonlySet<string>;
  /** When this person last compared the code, and who was in the group then. */
  readonly verifiedAt: { readonly epoch: number; readonly members: ReadonlySet<string> } | undefined;
}

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** The group as the page shows it: who holds keys, who does not, the code, and whether media is end-to-end encrypted. */
export function describeGroup({ group, selfId, canEncrypt, requireE2ee, roster, departed, refused, verifiedAt }: GroupFacts): E2eeState {
  const others = group?.members.filter((member) => member.peerId !== selfId) ?? [];
  const members = new Set(others.map((member) => member.peerId));
  const withoutE2ee = { self: !canEncrypt, peers: others.filter((member) => !member.e2ee).map((member) => member.peerId) };
  const everyoneCan = !withoutE2ee.self && withoutE2ee.peers.length === 0;
  const mode: E2eeMode = everyoneCan || (requireE2ee && !withoutE2ee.self) ? 'e2ee' : 'hop-by-hop';
  return {
    mode,
    withoutE2ee,
    joined: !!group,
    members,
    ghosts: [...members].filter((peerId) => !roster.has(peerId) && !departed.has(peerId)),
    outside: new Set([...roster].filter((peerId) => !members.has(peerId))),
    refused: new Set(refused),
    epoch: group?.epoch ?? -1,
    code: group ? verificationCode(group.authenticator) : [],
    fullCode: group ? (hex(group.authenticator).match(/.{4}/g) ?? []).join(' ') : '',
    verification: verification(members, group?.epoch, verifiedAt),
  };
}

function verification(members: ReadonlySet<string>, epoch: number | undefined, at: GroupFacts['verifiedAt']): Verification {
  if (!at) return { status: 'unverified' };
  if (at.epoch === epoch) return { status: 'verified' };
  return {
    status: 'changed',
    joined: [...members].filter((peerId) => !at.members.has(peerId)),
    left: [...at.members].filter((peerId) => !members.has(peerId)),
  };
}

import type { Reaction } from '../e2ee/group-content';
import type { RoomSecret } from '../e2ee/room-secret';
import { SignallingError } from '../signalling/signalling-channel';
import { WorkerGone } from '../e2ee/worker-watch';
import { TurnedAway } from './lobby';

/** What a call shows and tells the page: the people, their streams, chat, and why it ended. */

/** A stream received from another participant. */
export interface RemoteMedia {
  readonly producerId: string;
  readonly track: MediaStreamTrack;
  /** The sender turned it off (camera off, microphone muted). */
  readonly paused: boolean;
  /** This receiver's getStats() for the stream; read only here, never sent anywhere. */
  readonly stats: () => Promise<RTCStatsReport>;
}

/** Another person in the call, as the page shows them. */
export interface Participant {
  readonly peerId: string;
  readonly displayName: string | undefined;
  /** Shown as "Guest N" while they gave no name. */
  readonly number: number;
  readonly host: boolean;
  readonly hand: boolean;
  readonly camera: RemoteMedia | undefined;
  readonly microphone: RemoteMedia | undefined;
  readonly screen: RemoteMedia | undefined;
  readonly screenAudio: RemoteMedia | undefined;
}

/**
 * How this side shows a remote video: a hidden one (scrolled away, on
 * another page, the page in the background) is paused at the SFU, a shown
 * one gets the simulcast layer that fits its tile (0 the smallest).
 */
export interface Reception {
  readonly visible: boolean;
  readonly layer: number;
}

/** A reaction someone sent, shown briefly on their tile. */
export interface ReactionEvent {
  readonly from: string;
  readonly emoji: Reaction;
}

export interface JoinOptions {
  readonly roomId: string;
  readonly displayName?: string;
  /** From the host link: makes this person the meeting's host. */
  readonly hostKey?: Uint8Array;
}

/** A chat message, decrypted; messages that do not decrypt are never shown. */
export interface ChatMessage {
  readonly from: string;
  readonly self: boolean;
  readonly text: string;
  readonly at: Date;
}

/**
 * Why a call ended without the person leaving. 'session-expired': the server
 * no longer knows this participant (it was away too long, or the server
 * restarted), so the call must be joined afresh.
 */
export type CallFailure =
  | 'connection-lost'
  | 'session-expired'
  | 'room-full'
  | 'e2ee-required'
  | 'server-busy'
  | 'upgrade-required'
  /** The link's host key is not this meeting's. */
  | 'forged-host-link'
  /** A host ended the meeting for everyone. */
  | 'meeting-ended'
  /** A host removed this person. */
  | 'removed'
  /** A host locked the meeting before this person got in. */
  | 'meeting-locked'
  /** A host did not let this person in from the lobby. */
  | 'denied'
  /** A host made a new link; this one no longer gets in. */
  | 'link-withdrawn'
  | 'server-error';

/** Failures a join can end in that trying again will not change. */
const FINAL_JOIN_FAILURES = new Set<CallFailure>([
  'room-full',
  'e2ee-required',
  'upgrade-required',
  'forged-host-link',
  'meeting-ended',
  'removed',
  'meeting-locked',
  'denied',
  'link-withdrawn',
]);

/** The failure a refused or broken join stands for. */
export function joinFailure(error: unknown): CallFailure {
  if (error instanceof TurnedAway) return error.reason;
  // Its code could not be loaded: the network went while fetching it.
  if (error instanceof WorkerGone) return 'connection-lost';
  const code = error instanceof SignallingError ? error.code : undefined;
  if (code === 'closed' || code === 'timeout') return 'connection-lost';
  if (
    code === 'room-full' ||
    code === 'e2ee-required' ||
    code === 'upgrade-required' ||
    code === 'server-busy' ||
    code === 'meeting-locked' ||
    code === 'link-withdrawn'
  )
    return code;
  if (code === 'forbidden') return 'forged-host-link';
  return 'server-error';
}

/** Whether joining again later may succeed after this failure. */
export function worthRetrying(failure: CallFailure): boolean {
  return !FINAL_JOIN_FAILURES.has(failure);
}

/** What the server said before joining. */
export interface Prepared {
  /** The operator admits only browsers that encrypt end to end. */
  readonly requireE2ee: boolean;
}

/** Something the call wants the person to know, without anything to do about it. */
export type CallNotice = 'server-restarting' | 'link-renewed';

/** What a call tells its page. */
export interface CallEvents extends Record<string, unknown[]> {
  /** In the lobby: a host has to let this person in. */
  waiting: [];
  /** The people in the call or their streams changed. */
  change: [participants: readonly Participant[]];
  /** The call ended without the person leaving; it is closed already. */
  failure: [reason: CallFailure];
  chat: [message: ChatMessage];
  reaction: [reaction: ReactionEvent];
  /** True while the signalling connection is being re-established (the call itself goes on). */
  connection: [reconnecting: boolean];
  notice: [notice: CallNotice];
  /** A host made a new link (perhaps this person): the meeting goes on under it. */
  link: [link: RoomSecret];
}

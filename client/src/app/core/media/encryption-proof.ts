import { signal } from '@angular/core';
import type { E2eeState } from '../e2ee/e2ee-session';
import type { TransformStats } from '../e2ee/worker-protocol';
import type { Call } from './call';
import type { Participant } from './call-types';

const PROOF_INTERVAL_MS = 1000;

/** What the security badge may claim: never more than the worker's counters prove. */
export type Security =
  | { readonly level: 'e2ee' }
  | { readonly level: 'securing' }
  /** Someone holds the keys without being among the people shown: the rosters disagree. */
  | { readonly level: 'unseen-member'; readonly count: number }
  | { readonly level: 'hop-by-hop'; readonly self: boolean; readonly peers: readonly string[] };

/**
 * Whether the E2EE worker's counters show encryption over the last second:
 * every sending producer had frames encrypted, and no transform passed a
 * frame on unencrypted.
 */
export class EncryptionProof {
  readonly #proven = signal(false);
  readonly proven = this.#proven.asReadonly();
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = new Map<string, TransformStats>();

  watch(call: Call): void {
    this.stop();
    this.#timer = setInterval(() => void this.check(call), PROOF_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#last = new Map();
    this.#proven.set(false);
  }

  private async check(call: Call): Promise<void> {
    const media = call.e2ee.media;
    if (!media) return;
    const stats = await media.stats().catch(() => undefined);
    // A worker that does not answer proves nothing.
    if (!stats) return this.#proven.set(false);
    const { transforms } = stats;
    const now = new Map(transforms.map((stats) => [stats.id, stats]));
    const grew = (stats: TransformStats | undefined, field: 'frames' | 'passthrough') =>
      stats !== undefined && stats[field] > (this.#last.get(stats.id)?.[field] ?? 0);
    const plainPassed = transforms.some((stats) => grew(stats, 'passthrough'));
    const sendersEncrypting = call.activeSenderTransforms.every((id) => grew(now.get(id), 'frames'));
    this.#last = now;
    this.#proven.set(!plainPassed && sendersEncrypting);
  }
}

/** The badge's level, from the group's state, the people shown and the proof. */
export function securityOf(state: E2eeState | undefined, participants: readonly Participant[], proven: boolean): Security {
  if (!state?.joined) return { level: 'securing' };
  if (state.ghosts.length > 0) return { level: 'unseen-member', count: state.ghosts.length };
  if (state.mode === 'hop-by-hop') {
    const names = new Map(participants.map((participant) => [participant.peerId, participant.displayName ?? '']));
    return { level: 'hop-by-hop', self: state.withoutE2ee.self, peers: state.withoutE2ee.peers.map((peerId) => names.get(peerId) ?? '') };
  }
  return proven ? { level: 'e2ee' } : { level: 'securing' };
}

import { SignallingChannel, SignallingError } from '../signalling/signalling-channel';
import type { Delivery, E2eeSession } from './e2ee-session';

/** How often a KeyPackage or a name is offered to a busy server, and the first pause between tries (it doubles). */
export const DELIVERY_ATTEMPTS = 5;
export const DELIVERY_RETRY_MS = 1000;

/**
 * Sends again what a busy server refused for now (a rate limit) or did not
 * answer in time, after growing pauses: a KeyPackage that never arrives
 * leaves its sender outside the group for the whole call. A second copy
 * that did arrive changes nothing (the server keeps one KeyPackage per
 * peer; a member drops a replayed message).
 */
async function persistently(send: () => Promise<unknown>): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const passing = error instanceof SignallingError && (error.code === 'rate-limited' || error.code === 'timeout');
      if (!passing || attempt === DELIVERY_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, DELIVERY_RETRY_MS * 2 ** (attempt - 1)));
    }
  }
}

/** The server as the MLS delivery service, over the signalling connection. */
export function signallingDelivery(signalling: SignallingChannel): Delivery {
  return {
    publishKeyPackage: (keyPackage) => persistently(() => signalling.request('publishKeyPackage', { keyPackage })),
    commit: (commit) =>
      signalling.request('commit', commit).then(
        () => 'accepted' as const,
        (error: unknown) => {
          if (error instanceof SignallingError && error.code === 'stale-epoch') return 'stale' as const;
          throw error;
        },
      ),
    sendGroupMessage: (payload) => persistently(() => signalling.request('sendGroupMessage', { payload })),
  };
}

/** What the delivery service brings goes to the session; returns the functions that stop listening. */
export function receiveFromDelivery(signalling: SignallingChannel, e2ee: E2eeSession): Array<() => void> {
  return [
    signalling.on('keyPackage', ({ from, keyPackage }) => void e2ee.keyPackage(from, keyPackage)),
    signalling.on('commit', ({ commit }) => void e2ee.commit(commit)),
    signalling.on('welcome', ({ welcome }) => void e2ee.welcome(welcome)),
    signalling.on('createGroup', () => void e2ee.createGroup()),
    signalling.on('groupMessage', ({ from, payload }) => void e2ee.open(from, payload)),
  ];
}

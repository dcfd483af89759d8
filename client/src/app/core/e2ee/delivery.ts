import { SignallingChannel, SignallingError } from '../signalling/signalling-channel';
import type { Delivery, E2eeSession } from './e2ee-session';

/** The server as the MLS delivery service, over the signalling connection. */
export function signallingDelivery(signalling: SignallingChannel): Delivery {
  return {
    publishKeyPackage: (keyPackage) => signalling.request('publishKeyPackage', { keyPackage }),
    commit: (commit) =>
      signalling.request('commit', commit).then(
        () => 'accepted' as const,
        (error: unknown) => {
          if (error instanceof SignallingError && error.code === 'stale-epoch') return 'stale' as const;
          throw error;
        },
      ),
    sendGroupMessage: (payload) => signalling.request('sendGroupMessage', { payload }),
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

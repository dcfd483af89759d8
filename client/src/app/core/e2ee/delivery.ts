import { SignallingChannel, SignallingError } from '../signalling/signalling-channel';
import type { Delivery } from './e2ee-session';

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

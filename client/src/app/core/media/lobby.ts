import type { Joined, NotificationData } from '@raum/protocol';
import { SignallingError, type SignallingChannel } from '../signalling/signalling-channel';

/** Why the lobby did not let this person in. */
export type TurnedAwayReason = NotificationData<'knockRefused'>['reason'];

export class TurnedAway extends Error {
  constructor(readonly reason: TurnedAwayReason) {
    super(`not let in: ${reason}`);
    this.name = 'TurnedAway';
  }
}

/**
 * Waits in a meeting's lobby: knocks with this person's name (sealed for the
 * members), and resolves with what a join gives once a host lets them in.
 * Rejects with TurnedAway when a host does not, and with a SignallingError
 * when the connection goes (nothing was kept for a knock to come back to).
 */
export function waitInLobby(signalling: SignallingChannel, sealedName: Promise<string>): Promise<Joined> {
  return new Promise<Joined>((resolve, reject) => {
    const stops = [
      signalling.on('admitted', (joined) => settle(() => resolve(joined))),
      signalling.on('knockRefused', ({ reason }) => settle(() => reject(new TurnedAway(reason)))),
      // Without a session yet, a lost socket leaves the channel idle: the knock went with it.
      signalling.onState((state) => {
        if (state === 'closed' || state === 'idle')
          settle(() => reject(new SignallingError('closed', 'the connection closed in the lobby')));
      }),
    ];
    const settle = (outcome: () => void) => {
      for (const stop of stops.splice(0)) stop();
      outcome();
    };
    sealedName.then((name) => signalling.request('knock', { name })).catch((error: unknown) => settle(() => reject(error)));
  });
}

import { InjectionToken } from '@angular/core';
import { signallingDelivery } from '../e2ee/delivery';
import { E2eeSession } from '../e2ee/e2ee-session';
import { encodedTransformApi, MediaEncryption } from '../e2ee/media-encryption';
import { workerMls, type MlsApi } from '../e2ee/mls/mls-api';
import type { RoomSecret } from '../e2ee/room-secret';
import { SignallingChannel } from '../signalling/signalling-channel';
import { Call } from './call';

/** After a call was made, when the next call's workers start: later would risk a rejoin without them, sooner slows this join. */
const SPARE_AFTER_MS = 8000;

interface Workers {
  readonly media: MediaEncryption | undefined;
  readonly mls: MlsApi;
}

/** A call's two E2EE workers, started before they are needed. */
function startWorkers(): Workers {
  const api = encodedTransformApi();
  return { media: api && new MediaEncryption(api), mls: workerMls() };
}

/**
 * Makes a call for a room: a connection to the server and the E2EE session
 * on it. Each call takes workers started while the previous one went on: a
 * call joined afresh after a network change must not wait on the network
 * to load their code. Tests give their own.
 */
export const CALL_FACTORY = new InjectionToken<(room: RoomSecret) => Promise<Call>>('CALL_FACTORY', {
  factory: () => {
    let spare: Workers | undefined = startWorkers();
    let next: ReturnType<typeof setTimeout> | undefined;
    return async (room) => {
      const { media, mls } = spare ?? startWorkers();
      spare = undefined;
      clearTimeout(next);
      next = setTimeout(() => (spare = startWorkers()), SPARE_AFTER_MS);
      const signalling = SignallingChannel.connect();
      return new Call(signalling, new E2eeSession(room, media, mls, signallingDelivery(signalling)));
    };
  },
});

import { errors } from 'mediasoup';
import { RaumError } from '../common/errors';

/**
 * Runs a mediasoup call driven by what the client sent. mediasoup rejects bad
 * parameters with a TypeError and what it cannot do with an UnsupportedError:
 * both are the client's doing and become typed errors for it. Anything else
 * is a fault of the server, answered as `internal`.
 */
export async function mediasoupCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RaumError) throw error;
    const message = error instanceof Error ? error.message.replace(/\s*\[method:[^\]]*\]$/, '') : '';
    if (error instanceof TypeError) throw new RaumError('bad-request', message);
    if (error instanceof errors.UnsupportedError) throw new RaumError('unsupported', message);
    // The worker closed it meanwhile (its producer or transport went), before this side heard of it.
    if (error instanceof errors.NotFoundError) throw new RaumError('not-found', 'that stream is gone');
    throw error;
  }
}

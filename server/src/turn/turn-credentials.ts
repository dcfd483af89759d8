import { createHmac, randomBytes } from 'node:crypto';

export interface IceServer {
  readonly urls: string[];
  readonly username?: string;
  readonly credential?: string;
}

/**
 * Short-lived TURN credentials after the TURN REST API (coturn's
 * use-auth-secret): the username is the expiry time and a random nonce —
 * no identity, but different for every browser, so that coturn's quotas
 * (per username) count per browser — and the password is HMAC-SHA1 of it
 * under the shared secret, which coturn checks without any per-user state.
 */
export function turnCredentials(secret: string, ttlSeconds: number, nowMs = Date.now()): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${randomBytes(9).toString('base64url')}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

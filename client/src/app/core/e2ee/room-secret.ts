import { fromBase64Url, toBase64Url } from './bytes';

/**
 * What the room link carries after '#', which browsers never send to a
 * server: the room's secret, and whether the room admits only browsers that
 * encrypt end to end.  Format: `k=<secret>` or `k=<secret>&e2ee=required`.
 */
export interface RoomSecret {
  readonly secret: Uint8Array<ArrayBuffer>;
  readonly requireE2ee: boolean;
}

const SECRET_BYTES = 16;

export function newRoomSecret(requireE2ee = false): RoomSecret {
  return { secret: crypto.getRandomValues(new Uint8Array(SECRET_BYTES)), requireE2ee };
}

export function formatFragment({ secret, requireE2ee }: RoomSecret): string {
  return `k=${toBase64Url(secret)}${requireE2ee ? '&e2ee=required' : ''}`;
}

/** The secret in a fragment (with or without '#'), or undefined when the link is incomplete. */
export function parseFragment(fragment: string | null | undefined): RoomSecret | undefined {
  const params = new URLSearchParams((fragment ?? '').replace(/^#/, ''));
  const secret = fromBase64Url(params.get('k') ?? '');
  if (!secret || secret.length < SECRET_BYTES) return undefined;
  return { secret, requireE2ee: params.get('e2ee') === 'required' };
}

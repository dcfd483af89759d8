import { fromBase64Url, toBase64Url } from './bytes';

/**
 * What the room link carries after '#', which browsers never send to a
 * server: the room's secret, whether the room admits only browsers that
 * encrypt end to end, and in a host link the host key. A link a host made
 * anew also carries the first link's secret, which only vouches for members.
 * Format: `k=<secret>`, then `&e2ee=required`, `&a=<first secret>` and
 * `&h=<host key>` when set.
 */
export interface RoomSecret {
  readonly secret: Uint8Array<ArrayBuffer>;
  readonly requireE2ee: boolean;
  /** Only in a renewed link: the first link's secret, which the members' credentials are made with (see mls/link-keys.ts). */
  readonly admission?: Uint8Array<ArrayBuffer>;
  /** Only in the host's link: presented when joining, it makes this person the host. */
  readonly hostKey?: Uint8Array<ArrayBuffer>;
}

const SECRET_BYTES = 16;
/** A host key's length; the room id of a hosted meeting commits to it (see room-link.ts). */
export const HOST_KEY_BYTES = 16;

export function newRoomSecret(requireE2ee = false, hostKey?: Uint8Array<ArrayBuffer>): RoomSecret {
  return { secret: crypto.getRandomValues(new Uint8Array(SECRET_BYTES)), requireE2ee, ...(hostKey ? { hostKey } : {}) };
}

export function formatFragment({ secret, requireE2ee, admission, hostKey }: RoomSecret): string {
  return [
    `k=${toBase64Url(secret)}`,
    requireE2ee ? 'e2ee=required' : '',
    admission ? `a=${toBase64Url(admission)}` : '',
    hostKey ? `h=${toBase64Url(hostKey)}` : '',
  ]
    .filter(Boolean)
    .join('&');
}

/** The same room without the host key: the link to hand to guests. */
export function guestSecret({ secret, requireE2ee, admission }: RoomSecret): RoomSecret {
  return { secret, requireE2ee, ...(admission ? { admission } : {}) };
}

/** The link a host makes anew: a fresh secret, everything else as it was. */
export function renewedSecret(room: RoomSecret): RoomSecret {
  return { ...room, secret: crypto.getRandomValues(new Uint8Array(SECRET_BYTES)), admission: room.admission ?? room.secret };
}

/** The secret in a fragment (with or without '#'), or undefined when the link is incomplete or its host key garbled. */
export function parseFragment(fragment: string | null | undefined): RoomSecret | undefined {
  const params = new URLSearchParams((fragment ?? '').replace(/^#/, ''));
  const secret = fromBase64Url(params.get('k') ?? '');
  if (!secret || secret.length < SECRET_BYTES) return undefined;
  const requireE2ee = params.get('e2ee') === 'required';
  const first = params.get('a');
  const admission = first === null ? undefined : fromBase64Url(first);
  if (admission !== undefined && admission.length < SECRET_BYTES) return undefined;
  const host = params.get('h');
  const hostKey = host === null ? undefined : fromBase64Url(host);
  if (host !== null && hostKey?.length !== HOST_KEY_BYTES) return undefined;
  return { secret, requireE2ee, ...(admission ? { admission } : {}), ...(hostKey ? { hostKey } : {}) };
}

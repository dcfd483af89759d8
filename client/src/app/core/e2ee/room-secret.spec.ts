import { formatFragment, guestSecret, newRoomSecret, parseFragment } from './room-secret';

describe('room secrets in the link fragment', () => {
  it('round-trips the secret and the require flag', () => {
    for (const requireE2ee of [false, true]) {
      const room = newRoomSecret(requireE2ee);
      expect(room.secret.length).toBe(16);
      const parsed = parseFragment(`#${formatFragment(room)}`);
      expect(parsed?.secret).toEqual(room.secret);
      expect(parsed?.requireE2ee).toBe(requireE2ee);
      expect(parsed?.hostKey).toBeUndefined();
    }
  });

  it('carries the host key in the host link only', () => {
    const hostKey = crypto.getRandomValues(new Uint8Array(16));
    const room = newRoomSecret(true, hostKey);
    const host = parseFragment(formatFragment(room));
    expect(host?.hostKey).toEqual(hostKey);
    expect(host?.secret).toEqual(room.secret);
    const guestFragment = formatFragment(guestSecret(room));
    expect(guestFragment).not.toContain('h=');
    const guest = parseFragment(guestFragment);
    expect(guest?.hostKey).toBeUndefined();
    expect(guest?.secret).toEqual(room.secret);
    expect(guest?.requireE2ee).toBeTrue();
  });

  it('treats a missing, short or garbled secret, or a garbled host key, as an incomplete link', () => {
    const key = 'AAAAAAAAAAAAAAAAAAAAAA';
    for (const fragment of [null, '', '#', '#k=', '#k=abc', '#k=!!!!!!!!!!!!!!!!!!!!!!!!', '#secret', `#k=${key}&h=`, `#k=${key}&h=abc`]) {
      expect(parseFragment(fragment)).withContext(String(fragment)).toBeUndefined();
    }
  });
});

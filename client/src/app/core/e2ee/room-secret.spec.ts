import { formatFragment, guestSecret, newRoomSecret, parseFragment, renewedSecret } from './room-secret';

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

  it('renews a link: a fresh secret, the first one kept for the members’ credentials, in host and guest links', () => {
    const hostKey = crypto.getRandomValues(new Uint8Array(16));
    const first = newRoomSecret(false, hostKey);
    const renewed = renewedSecret(first);
    expect(renewed.secret).not.toEqual(first.secret);
    expect(renewed.admission).toEqual(first.secret);
    expect(renewedSecret(renewed).admission).withContext('always the first').toEqual(first.secret);
    const guest = parseFragment(formatFragment(guestSecret(renewed)));
    expect(guest).toEqual({ secret: renewed.secret, requireE2ee: false, admission: first.secret });
    expect(parseFragment(formatFragment(renewed))?.hostKey).toEqual(hostKey);
  });

  it('treats a missing, short or garbled secret, host key or first secret as an incomplete link', () => {
    const key = 'AAAAAAAAAAAAAAAAAAAAAA';
    for (const fragment of [
      null,
      '',
      '#',
      '#k=',
      '#k=abc',
      '#k=!!!!!!!!!!!!!!!!!!!!!!!!',
      '#secret',
      `#k=${key}&h=`,
      `#k=${key}&h=abc`,
      `#k=${key}&a=abc`,
    ]) {
      expect(parseFragment(fragment)).withContext(String(fragment)).toBeUndefined();
    }
  });
});

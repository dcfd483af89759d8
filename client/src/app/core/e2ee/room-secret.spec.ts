import { formatFragment, newRoomSecret, parseFragment } from './room-secret';

describe('room secrets in the link fragment', () => {
  it('round-trips the secret and the require flag', () => {
    for (const requireE2ee of [false, true]) {
      const room = newRoomSecret(requireE2ee);
      expect(room.secret.length).toBe(16);
      const parsed = parseFragment(`#${formatFragment(room)}`);
      expect(parsed?.secret).toEqual(room.secret);
      expect(parsed?.requireE2ee).toBe(requireE2ee);
    }
  });

  it('treats a missing, short or garbled secret as an incomplete link', () => {
    for (const fragment of [null, '', '#', '#k=', '#k=abc', '#k=!!!!!!!!!!!!!!!!!!!!!!!!', '#secret']) {
      expect(parseFragment(fragment)).withContext(String(fragment)).toBeUndefined();
    }
  });
});

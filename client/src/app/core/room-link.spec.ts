import { isRoomId, newRoomId, roomUrl } from './room-link';

describe('room links', () => {
  it('makes unguessable ids of 22 url-safe characters', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRoomId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isRoomId(id)).toBeTrue();
    }
  });

  it('rejects ids that are too short or carry other characters', () => {
    expect(isRoomId('abc')).toBeFalse();
    expect(isRoomId('../../../../etc/passwd/xx')).toBeFalse();
    expect(isRoomId(undefined)).toBeFalse();
  });

  it('puts the id in the path and the secret in the fragment', () => {
    expect(roomUrl('AAAAAAAAAAAAAAAAAAAAAA', 'k=secret', 'https://raum.example')).toBe(
      'https://raum.example/r/AAAAAAAAAAAAAAAAAAAAAA#k=secret',
    );
  });
});

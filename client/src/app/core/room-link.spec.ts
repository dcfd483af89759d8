import { fromBase64Url } from './e2ee/bytes';
import { hostRoomId, isRoomId, newHostedRoom, roomUrl } from './room-link';

describe('room links', () => {
  it('makes unguessable ids of 22 url-safe characters, each the commitment to its host key', async () => {
    const rooms = await Promise.all(Array.from({ length: 200 }, () => newHostedRoom()));
    expect(new Set(rooms.map(({ roomId }) => roomId)).size).toBe(200);
    for (const { roomId, hostKey } of rooms) {
      expect(roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isRoomId(roomId)).toBeTrue();
      expect(hostKey.length).toBe(16);
      expect(await hostRoomId(hostKey)).toBe(roomId);
    }
  });

  it('derives the room id from a host key exactly as the server does', async () => {
    // The same vector is checked on the server (server/src/rooms/host-link.spec.ts).
    expect(await hostRoomId(fromBase64Url('AAECAwQFBgcICQoLDA0ODw')!)).toBe('IPdBqFSkLkRvq3YsjR9ahw');
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

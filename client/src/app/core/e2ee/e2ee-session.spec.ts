import { E2eeSession, ROTATION_DELAY_MS, type E2eeState } from './e2ee-session';
import { RATCHET_WINDOW } from './key-ring';
import { ratchet } from './key-schedule';
import type { MediaEncryption } from './media-encryption';
import { newRoomSecret, type RoomSecret } from './room-secret';
import type { Mode } from './worker-protocol';

/** Records what a session hands to its media worker. */
class FakeMedia {
  readonly keys: Array<{ participantId: string; index: number; material: Uint8Array }> = [];
  mode: Mode | undefined;
  setKey(participantId: string, index: number, material: Uint8Array): void {
    this.keys.push({ participantId, index, material });
  }
  forget(): void {
    // The fake keeps every key it was given, for the assertions.
  }
  setMode(mode: Mode): void {
    this.mode = mode;
  }
  newestFor(participantId: string) {
    return this.keys.filter((key) => key.participantId === participantId).at(-1);
  }
}

/** Participants wired through an in-memory relay, as the server would relay them. */
class Room {
  readonly sessions = new Map<string, E2eeSession>();
  readonly media = new Map<string, FakeMedia>();
  private pending: Promise<unknown> = Promise.resolve();

  async join(id: string, room: RoomSecret, capable = true): Promise<E2eeSession> {
    const media = capable ? new FakeMedia() : undefined;
    const session = await E2eeSession.create(room, media as unknown as MediaEncryption | undefined, async (to, payload) => {
      for (const [peerId, other] of this.sessions) {
        if (peerId !== id && (to === undefined || to === peerId)) this.pending = this.pending.then(() => other.receive(id, payload));
      }
    });
    if (media) this.media.set(id, media);
    this.sessions.set(id, session);
    await session.start(id);
    await this.settle();
    return session;
  }

  async leave(id: string): Promise<void> {
    this.sessions.delete(id);
    for (const session of this.sessions.values()) await session.peerLeft(id);
    await this.settle();
  }

  /** Until every relayed message (and the answers it caused) is handled. */
  async settle(): Promise<void> {
    let current;
    do {
      current = this.pending;
      await current;
      await new Promise((resolve) => setTimeout(resolve));
    } while (current !== this.pending);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Whether a receiver's key for a sender leads to the sender's current key by ratcheting, as frames would. */
async function reaches(known: Uint8Array<ArrayBuffer>, current: Uint8Array): Promise<boolean> {
  let material = known;
  for (let step = 0; step <= RATCHET_WINDOW; step++) {
    if (equalBytes(material, current)) return true;
    material = await ratchet(material);
  }
  return false;
}

function state(session: E2eeSession): E2eeState {
  return session.state;
}

describe('E2eeSession', () => {
  const secret = newRoomSecret();

  it('authenticates everyone with the link secret and gives each sender’s key to the others', async () => {
    const room = new Room();
    const ada = await room.join('ada', secret);
    await room.join('ben', secret);
    const cem = await room.join('cem', secret);
    expect([...state(ada).verified].sort()).toEqual(['ben', 'cem']);
    expect([...state(cem).verified].sort()).toEqual(['ada', 'ben']);
    // Each worker can follow each other sender's current key (given, or by ratcheting as frames arrive).
    for (const [me, others] of [
      ['ada', ['ben', 'cem']],
      ['ben', ['ada', 'cem']],
      ['cem', ['ada', 'ben']],
    ] as const) {
      for (const other of others) {
        const known = room.media.get(me)!.newestFor(other)!.material as Uint8Array<ArrayBuffer>;
        expect(await reaches(known, room.media.get(other)!.newestFor(other)!.material))
          .withContext(`${me} follows ${other}`)
          .toBeTrue();
      }
    }
    expect(state(ada).mode).toBe('e2ee');
    expect(room.media.get('ada')!.mode).toEqual({ encrypt: true, strict: true });
  });

  it('ratchets on join, so the newcomer never gets an earlier key', async () => {
    const room = new Room();
    await room.join('ada', secret);
    await room.join('ben', secret);
    const adaBefore = room.media.get('ada')!.keys.filter((key) => key.participantId === 'ada');
    await room.join('cem', secret);
    const adaKeys = room.media.get('ada')!.keys.filter((key) => key.participantId === 'ada');
    const cemHas = room.media.get('cem')!.keys.filter((key) => key.participantId === 'ada');
    expect(adaKeys.length).toBe(adaBefore.length + 1);
    expect(cemHas.length).toBe(1);
    for (const earlier of adaBefore) expect(cemHas[0].material).not.toEqual(earlier.material);
    expect(cemHas[0].index).toBe(adaKeys.at(-1)!.index);
  });

  it('gives a fresh random key to those who stay when someone leaves, after they have it', async () => {
    const room = new Room();
    await room.join('ada', secret);
    await room.join('ben', secret);
    await room.join('cem', secret);
    const leaverHad = room.media.get('cem')!.newestFor('ada')!;
    await room.leave('cem');
    const benHas = room.media.get('ben')!.newestFor('ada')!;
    expect(benHas.material).not.toEqual(leaverHad.material);
    // Ada's own worker switches only after the delay.
    expect(room.media.get('ada')!.newestFor('ada')!.material).not.toEqual(benHas.material);
    await new Promise((resolve) => setTimeout(resolve, ROTATION_DELAY_MS + 50));
    expect(room.media.get('ada')!.newestFor('ada')!.material).toEqual(benHas.material);
  });

  it('keeps encrypting with the key a newcomer got when they join during the switch after a leave', async () => {
    const room = new Room();
    await room.join('ada', secret);
    await room.join('ben', secret);
    await room.leave('ben');
    await room.join('cem', secret);
    await new Promise((resolve) => setTimeout(resolve, ROTATION_DELAY_MS + 50));
    expect(room.media.get('ada')!.newestFor('ada')!.material).toEqual(room.media.get('cem')!.newestFor('ada')!.material);
  });

  it('gives nothing to someone without the secret, and shows them as unverified', async () => {
    const room = new Room();
    const ada = await room.join('ada', secret);
    await room.join('eve', newRoomSecret());
    expect(state(ada).unverified.has('eve')).toBeTrue();
    expect(state(ada).verified.size).toBe(0);
    expect(room.media.get('eve')!.newestFor('ada')).toBeUndefined();
  });

  it('shows the same emoji to everyone, and new ones when the participants change', async () => {
    const room = new Room();
    const ada = await room.join('ada', secret);
    const ben = await room.join('ben', secret);
    const twoOfUs = state(ada).sas;
    expect(twoOfUs.length).toBe(6);
    expect(state(ben).sas).toEqual(twoOfUs);
    const cem = await room.join('cem', secret);
    expect(state(ada).sas).toEqual(state(cem).sas);
    expect(state(ada).sas).not.toEqual(twoOfUs);
  });

  it('encrypts chat so that members read it, across ratchets, and nobody else does', async () => {
    const room = new Room();
    const ada = await room.join('ada', secret);
    const ben = await room.join('ben', secret);
    const eve = await room.join('eve', newRoomSecret());
    const first = await ada.encryptChat('hello Ben');
    expect(await ben.decryptChat('ada', first)).toBe('hello Ben');
    expect(await eve.decryptChat('ada', first)).toBeUndefined();
    await room.join('cem', secret);
    const second = await ada.encryptChat('after a ratchet');
    expect(await ben.decryptChat('ada', second)).toBe('after a ratchet');
    const forged = second.slice(0, -4) + (second.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await ben.decryptChat('ada', forged)).toBeUndefined();
  });

  it('holds for 50 participants joining one after another; those left behind by the ratchet ask for the key', async () => {
    const room = new Room();
    const ids = Array.from({ length: 50 }, (_, index) => `p${String(index).padStart(2, '0')}`);
    for (const id of ids) await room.join(id, secret);
    const sas = state(room.sessions.get(ids[0])!).sas;
    for (const id of ids) {
      expect(state(room.sessions.get(id)!).verified.size)
        .withContext(id)
        .toBe(49);
      expect(state(room.sessions.get(id)!).sas)
        .withContext(id)
        .toEqual(sas);
    }
    // The first ratcheted 49 times; early joiners cannot follow that far and ask (as their worker would).
    const [first, ...others] = ids;
    const current = room.media.get(first)!.newestFor(first)!.material;
    const behind: string[] = [];
    for (const id of others) {
      if (!(await reaches(room.media.get(id)!.newestFor(first)!.material as Uint8Array<ArrayBuffer>, current))) behind.push(id);
    }
    expect(behind.length).toBeGreaterThan(0);
    for (const id of behind) await room.sessions.get(id)!.requestKey(first);
    await room.settle();
    for (const id of others) {
      expect(await reaches(room.media.get(id)!.newestFor(first)!.material as Uint8Array<ArrayBuffer>, current))
        .withContext(id)
        .toBeTrue();
    }
  }, 120_000);

  it('falls back to hop-by-hop while an authenticated participant cannot encrypt, unless the room requires it', async () => {
    const room = new Room();
    const ada = await room.join('ada', secret);
    await room.join('dan', secret, false);
    expect(state(ada).mode).toBe('hop-by-hop');
    expect(state(ada).withoutE2ee.peers).toEqual(['dan']);
    expect(room.media.get('ada')!.mode).toEqual({ encrypt: false, strict: false });
    await room.leave('dan');
    expect(state(ada).mode).toBe('e2ee');
    expect(room.media.get('ada')!.mode).toEqual({ encrypt: true, strict: true });

    const strictRoom = new Room();
    const required = { ...secret, requireE2ee: true };
    const kai = await strictRoom.join('kai', required);
    await strictRoom.join('dan', required, false);
    expect(state(kai).mode).toBe('e2ee');
  });
});

import { fromBase64Url, toBase64Url } from './bytes';
import { COMMIT_FALLBACK_MS, E2eeSession, REMOVAL_GRACE_MS, type Delivery } from './e2ee-session';
import type { GroupContent } from './group-content';
import type { MediaEncryption } from './media-encryption';
import { LocalMls } from './mls/local-mls';
import { guestSecret, newRoomSecret, renewedSecret, type RoomSecret } from './room-secret';
import { verificationCode } from './sas';
import { WorkerGone } from './worker-watch';
import type { Mode } from './worker-protocol';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
/** MLS with real WebCrypto in every session: each spec forms a few groups. */
const SLOW = 30_000;

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** Records what a session hands to its media worker. */
class FakeMedia {
  readonly keys: Array<{ participantId: string; epoch: number; leaf: number; secret: string }> = [];
  readonly forgotten: string[] = [];
  mode: Mode | undefined;
  terminated = false;
  /** Whether the worker runs; a worker whose code never loaded fails started(). */
  runs = true;

  started(): Promise<void> {
    return this.runs ? Promise.resolve() : Promise.reject(new WorkerGone('media encryption'));
  }

  setKey(participantId: string, epoch: number, leaf: number, secret: Uint8Array): void {
    this.keys.push({ participantId, epoch, leaf, secret: hex(secret) });
  }

  forget(participantId: string): void {
    this.forgotten.push(participantId);
  }

  setMode(mode: Mode): void {
    this.mode = mode;
  }

  terminate(): void {
    this.terminated = true;
  }

  /** The secrets handed over for one epoch, by participant. */
  at(epoch: number): Map<string, string> {
    return new Map(this.keys.filter((key) => key.epoch === epoch).map((key) => [key.participantId, key.secret]));
  }

  get secrets(): Set<string> {
    return new Set(this.keys.map((key) => key.secret));
  }
}

interface Peer {
  readonly id: string;
  readonly session: E2eeSession;
  readonly media: FakeMedia | undefined;
  readonly mls: LocalMls;
  readonly messages: Array<{ from: string } & GroupContent>;
}

/** The group id and epoch of an MLS commit, read as the server's group-ledger.ts reads them. */
function commitHeader(bytes: Uint8Array): { groupId: string; epoch: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 5 || view.getUint16(0) !== 1 || view.getUint16(2) !== 2) return undefined;
  const lengthBytes = 1 << (bytes[4] >> 6);
  let length = bytes[4] & 0x3f;
  for (let index = 1; index < lengthBytes; index++) length = length * 256 + bytes[4 + index];
  const epochAt = 4 + lengthBytes + length;
  if (epochAt + 9 > bytes.length || bytes[epochAt + 8] !== 3) return undefined;
  return { groupId: hex(bytes.subarray(4 + lengthBytes, epochAt)), epoch: Number(view.getBigUint64(epochAt)) };
}

type CommitRequest = Parameters<Delivery['commit']>[0];

/**
 * One room on an in-memory server: the roster (peerJoined, peerLeft), and the
 * MLS delivery service as server/src/rooms/group-ledger.ts runs it: the first
 * commit for an epoch wins and later ones are stale, the Welcome goes to the
 * added, the commit to the other members, KeyPackages to the members, and
 * createGroup to a waiting peer once the group's members are all gone.
 * Notifications arrive asynchronously, in order, as over a socket. The
 * `silenced` and `refuse` hooks make it misbehave.
 */
class Room {
  readonly peers = new Map<string, Peer>();
  /** The delivery service's view: who is in the group, its epoch, who waits. */
  readonly members = new Set<string>();
  readonly waiting = new Map<string, string>();
  epoch = 0;
  groupId: string | undefined;
  readonly accepted: Array<{ from: string; epoch: number; at: number } & CommitRequest> = [];
  readonly stale: Array<{ from: string } & CommitRequest> = [];
  /** Peers whose connection froze: nothing reaches them. */
  readonly silenced = new Set<string>();
  /** What a session threw at a notification: nothing should. */
  readonly errors: unknown[] = [];
  /** A malicious server answers 'stale' to the commits it wants to suppress. */
  refuse: ((from: string, commit: CommitRequest) => boolean) | undefined;
  #pending = 0;

  constructor(readonly secret: RoomSecret = newRoomSecret()) {}

  /** A participant joins the room, is told to create the group or to wait for a Welcome, and starts. */
  async join(
    id: string,
    options: { secret?: RoomSecret; media?: boolean; profile?: string; group?: 'create' | 'join' } = {},
  ): Promise<Peer> {
    const media = options.media === false ? undefined : new FakeMedia();
    const mls = new LocalMls();
    const session = new E2eeSession(options.secret ?? this.secret, media as unknown as MediaEncryption | undefined, mls, this.delivery(id));
    const peer: Peer = { id, session, media, mls, messages: [] };
    session.onMessage((from, content) => peer.messages.push({ from, ...content }));
    if (options.profile) session.setProfile({ name: options.profile, hand: false });
    const others = [...this.peers.keys()];
    for (const other of others) this.notify(other, (them) => them.peerJoined(id));
    this.peers.set(id, peer);
    let group = options.group;
    if (!group) {
      group = this.members.size > 0 ? 'join' : 'create';
      if (group === 'create') this.reset(id);
    }
    await this.track(session.start(id, ROOM, group, others));
    return peer;
  }

  /** A participant leaves (or is dropped): the others hear peerLeft; an empty group restarts. */
  leave(id: string): void {
    this.peers.get(id)?.session.close();
    this.peers.delete(id);
    for (const other of this.peers.keys()) this.notify(other, (them) => them.peerLeft(id));
    this.waiting.delete(id);
    this.members.delete(id);
    if (this.members.size === 0) this.restart();
  }

  delivery(id: string): Delivery {
    return {
      publishKeyPackage: async (keyPackage) => {
        if (this.members.has(id)) throw new Error('already in the group');
        this.waiting.set(id, keyPackage);
        if (this.members.size > 0) for (const member of this.members) this.notify(member, (them) => them.keyPackage(id, keyPackage));
        else this.restart();
        return {};
      },
      commit: async (request) => this.commit(id, request),
      sendGroupMessage: async (payload) => {
        this.relay(id, payload);
        return {};
      },
    };
  }

  /** Relays an application message to everyone but `from`, as coming from `from`. */
  relay(from: string, payload: string, to: Iterable<string> = this.peers.keys()): void {
    for (const other of to) if (other !== from) this.notify(other, (them) => them.open(from, payload));
  }

  /** A notification to one peer: asynchronous, in order, dropped for a silenced one. */
  notify(to: string, deliver: (session: E2eeSession) => unknown): void {
    if (this.silenced.has(to)) return;
    this.#pending++;
    setTimeout(async () => {
      try {
        const peer = this.peers.get(to);
        if (peer) await deliver(peer.session);
      } catch (error) {
        this.errors.push(error);
      } finally {
        this.#pending--;
      }
    });
  }

  /** Until every notification, and all it caused, is handled. */
  async settle(): Promise<void> {
    do await new Promise((resolve) => setTimeout(resolve, 5));
    while (this.#pending > 0);
  }

  peer(id: string): Peer {
    return this.peers.get(id)!;
  }

  close(): void {
    for (const peer of this.peers.values()) peer.session.close();
  }

  private async track(work: Promise<unknown>): Promise<void> {
    this.#pending++;
    try {
      await work;
    } finally {
      this.#pending--;
    }
  }

  private commit(from: string, request: CommitRequest): 'accepted' | 'stale' {
    if (!this.members.has(from)) throw new Error('only members of the group commit');
    const header = commitHeader(fromBase64Url(request.commit)!);
    if (!header) throw new Error('not an MLS commit');
    if (header.epoch !== this.epoch || (this.groupId !== undefined && header.groupId !== this.groupId) || this.refuse?.(from, request)) {
      this.stale.push({ from, ...request });
      return 'stale';
    }
    if (request.added.some((peerId) => !this.waiting.has(peerId))) throw new Error('someone added is not waiting');
    const recipients = [...this.members].filter((peerId) => peerId !== from);
    this.groupId = header.groupId;
    this.epoch++;
    for (const peerId of request.added) {
      this.waiting.delete(peerId);
      this.members.add(peerId);
    }
    for (const peerId of request.removed) this.members.delete(peerId);
    this.accepted.push({ from, epoch: header.epoch, at: performance.now(), ...request });
    for (const peerId of recipients) this.notify(peerId, (them) => them.commit(request.commit));
    for (const peerId of request.added) this.notify(peerId, (them) => them.welcome(request.welcome!));
    return 'accepted';
  }

  private restart(): void {
    const creator = this.waiting.keys().next().value;
    if (creator === undefined) return;
    this.reset(creator);
    this.notify(creator, (them) => them.createGroup());
    for (const [from, keyPackage] of this.waiting) this.notify(creator, (them) => them.keyPackage(from, keyPackage));
  }

  private reset(creator: string): void {
    this.waiting.delete(creator);
    this.members.clear();
    this.members.add(creator);
    this.epoch = 0;
    this.groupId = undefined;
  }
}

describe('E2eeSession (MLS groups over an in-memory delivery service)', () => {
  let rooms: Room[];

  beforeEach(() => (rooms = []));
  afterEach(() => {
    for (const room of rooms) {
      expect(room.errors).withContext('errors in sessions').toEqual([]);
      room.close();
    }
  });

  function newRoom(secret?: RoomSecret): Room {
    const room = new Room(secret);
    rooms.push(room);
    return room;
  }

  /** A room where these participants joined one after the other. */
  async function roomWith(...ids: string[]): Promise<Room> {
    const room = newRoom();
    for (const id of ids) {
      await room.join(id, { profile: id.toUpperCase() });
      await room.settle();
    }
    return room;
  }

  /** Everyone in `ids` is in one group: the same epoch and code, each listing all the others. */
  function expectOneGroup(room: Room, ids: string[]): void {
    const first = room.peer(ids[0]).session.state;
    for (const id of ids) {
      const state = room.peer(id).session.state;
      expect(state.joined).withContext(`${id} joined`).toBeTrue();
      expect(state.epoch).withContext(`${id}'s epoch`).toBe(first.epoch);
      expect(state.code).withContext(`${id}'s code`).toEqual(first.code);
      expect(state.fullCode).withContext(`${id}'s full code`).toBe(first.fullCode);
      expect([...state.members].sort())
        .withContext(`${id}'s members`)
        .toEqual(ids.filter((other) => other !== id).sort());
      expect(state.ghosts).withContext(`${id}'s ghosts`).toEqual([]);
      expect([...state.outside])
        .withContext(`${id}'s outside`)
        .toEqual([]);
    }
    expect(first.code.length).toBe(8);
    expect(first.fullCode).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  }

  /** Each participant's media holds one secret per member for the current epoch, the same secret at every receiver. */
  function expectKeysFor(room: Room, ids: string[]): Map<string, string> {
    const epoch = room.peer(ids[0]).session.state.epoch;
    const reference = room.peer(ids[0]).media!.at(epoch);
    expect([...reference.keys()].sort()).toEqual([...ids].sort());
    expect(new Set(reference.values()).size).withContext('one secret per sender').toBe(ids.length);
    for (const id of ids) {
      expect(room.peer(id).media!.at(epoch)).withContext(`${id}'s secrets for epoch ${epoch}`).toEqual(reference);
    }
    return reference;
  }

  it(
    'brings three participants into one group: same epoch and code, every sender’s secret at every receiver',
    async () => {
      const room = await roomWith('ada', 'ben', 'cy');
      expectOneGroup(room, ['ada', 'ben', 'cy']);
      expect(room.peer('ada').session.state.epoch).toBe(2);
      expect(room.epoch).withContext('the delivery service agrees').toBe(2);
      const secrets = expectKeysFor(room, ['ada', 'ben', 'cy']);
      expect([...secrets.values()].every((secret) => secret.length === 64)).toBeTrue();
      expect(room.peer('ada').media!.mode).toEqual({ encrypt: true, strict: true });
      expect(room.peer('ada').session.state.mode).toBe('e2ee');
      expect(room.peer('ada').session.state.verification).toEqual({ status: 'unverified' });
      // Every key handed over names its sender's leaf in this epoch.
      const leaves = room
        .peer('cy')
        .media!.keys.filter((key) => key.epoch === 2)
        .map((key) => [key.participantId, key.leaf]);
      expect(leaves.sort()).toEqual([
        ['ada', 0],
        ['ben', 1],
        ['cy', 2],
      ]);
    },
    SLOW,
  );

  it(
    'sends names to newcomers and chat to everyone, signed by their sender',
    async () => {
      const room = await roomWith('ada', 'ben', 'cy');
      const profiles = (id: string) =>
        room
          .peer(id)
          .messages.filter((message) => message.t === 'profile')
          .map((message) => `${message.from}:${message.t === 'profile' ? message.name : ''}`);
      expect(new Set(profiles('cy'))).toEqual(new Set(['ada:ADA', 'ben:BEN']));
      expect(new Set(profiles('ada'))).toEqual(new Set(['ben:BEN', 'cy:CY']));
      expect(new Set(profiles('ben'))).toEqual(new Set(['ada:ADA', 'cy:CY']));

      const payload = await room.peer('ben').session.seal({ t: 'chat', text: 'hello, all' });
      expect(payload).toBeDefined();
      expect(new TextDecoder().decode(fromBase64Url(payload!))).not.toContain('hello');
      room.relay('ben', payload!);
      await room.settle();
      for (const id of ['ada', 'cy']) {
        expect(room.peer(id).messages.filter((message) => message.t === 'chat')).toEqual([{ from: 'ben', t: 'chat', text: 'hello, all' }]);
      }
      expect(room.peer('ben').messages.filter((message) => message.t === 'chat')).toEqual([]);
    },
    SLOW,
  );

  it(
    'gives a newcomer secrets for the epoch of its Add only',
    async () => {
      const room = await roomWith('ada', 'ben');
      const before = new Set([...room.peer('ada').media!.secrets, ...room.peer('ben').media!.secrets]);
      await room.join('cy');
      await room.settle();
      const cy = room.peer('cy');
      expect(cy.session.state.epoch).toBe(2);
      expect(cy.media!.keys.length).toBe(3);
      expect(cy.media!.keys.every((key) => key.epoch === 2))
        .withContext('only the epoch it was added in')
        .toBeTrue();
      expect([...cy.media!.secrets].filter((secret) => before.has(secret))).toEqual([]);
      expectKeysFor(room, ['ada', 'ben', 'cy']);
    },
    SLOW,
  );

  it(
    'removes whoever leaves: the others move to a new epoch whose secrets the leaver never had',
    async () => {
      const room = await roomWith('ada', 'ben', 'cy');
      const leaver = room.peer('cy').media!;
      const epoch = room.peer('ada').session.state.epoch;
      const codeBefore = room.peer('ada').session.state.code;
      room.leave('cy');
      await room.settle();
      expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ada', added: [], removed: ['cy'] }));
      expectOneGroup(room, ['ada', 'ben']);
      expect(room.peer('ada').session.state.epoch).toBe(epoch + 1);
      expect(room.peer('ada').session.state.code).not.toEqual(codeBefore);
      const fresh = expectKeysFor(room, ['ada', 'ben']);
      // Each sends under the new epoch as soon as it processed the commit: its own new key is there already.
      for (const self of ['ada', 'ben']) {
        const installed = room.peer(self).media!.keys.filter((key) => key.epoch === epoch + 1);
        expect(installed.map((key) => key.participantId).sort()).toEqual(['ada', 'ben']);
      }
      expect([...fresh.values()].filter((secret) => leaver.secrets.has(secret))).toEqual([]);
      expect(room.peer('ada').media!.forgotten).toEqual(['cy']);
      expect(room.peer('ben').media!.forgotten).toEqual(['cy']);
      expect(leaver.terminated).withContext('closing the session ends its media worker').toBeTrue();
    },
    SLOW,
  );

  describe('races', () => {
    it(
      'ends in one group when two join at the same moment',
      async () => {
        const room = await roomWith('ada', 'ben');
        await Promise.all([room.join('cy'), room.join('dee')]);
        await room.settle();
        expectOneGroup(room, ['ada', 'ben', 'cy', 'dee']);
        expectKeysFor(room, ['ada', 'ben', 'cy', 'dee']);
        expect(room.accepted.every((commit) => commit.from === 'ada'))
          .withContext('the leader commits')
          .toBeTrue();
      },
      SLOW,
    );

    it(
      'ends in one group when someone joins while another leaves',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        const leaver = room.peer('cy').media!;
        room.leave('cy');
        await room.join('dee');
        await room.settle();
        expectOneGroup(room, ['ada', 'ben', 'dee']);
        const fresh = expectKeysFor(room, ['ada', 'ben', 'dee']);
        expect([...fresh.values()].filter((secret) => leaver.secrets.has(secret))).toEqual([]);
        expect(room.members).toEqual(new Set(['ada', 'ben', 'dee']));
      },
      SLOW,
    );

    it(
      'ends in one group when two members commit for the same epoch: the loser discards and processes the winner',
      async () => {
        const room = await roomWith('ada', 'ben');
        // Ada's connection stalls: Ben, second in line, commits Cy's Add after the fallback delay.
        room.silenced.add('ada');
        await room.join('cy');
        const keyPackage = room.waiting.get('cy')!;
        while (room.accepted.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
        await room.settle();
        const winner = room.accepted[1];
        expect(winner).toEqual(jasmine.objectContaining({ from: 'ben', epoch: 1, added: ['cy'] }));
        // Ada catches up in the wrong order: her own commit for epoch 1 comes first, is stale, and she takes Ben's.
        room.silenced.delete('ada');
        room.notify('ada', (ada) => ada.peerJoined('cy'));
        room.notify('ada', (ada) => ada.keyPackage('cy', keyPackage));
        await room.settle();
        expect(room.stale).toEqual([jasmine.objectContaining({ from: 'ada', added: ['cy'] })]);
        expect(room.peer('ada').session.state.epoch).withContext('a stale commit changes nothing').toBe(1);
        room.notify('ada', (ada) => ada.commit(winner.commit));
        await room.settle();
        expectOneGroup(room, ['ada', 'ben', 'cy']);
        expectKeysFor(room, ['ada', 'ben', 'cy']);
        expect(room.accepted.length).toBe(2);
      },
      SLOW,
    );
  });

  describe('who commits', () => {
    it(
      'is the member with the lowest leaf; when it leaves, the next',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        expect(room.accepted.map((commit) => commit.from)).toEqual(['ada', 'ada']);
        room.leave('ada');
        await room.settle();
        expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ben', removed: ['ada'] }));
        await room.join('dee');
        await room.settle();
        expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ben', added: ['dee'] }));
        expect(room.stale).withContext('nobody else tried').toEqual([]);
        expectOneGroup(room, ['ben', 'cy', 'dee']);
      },
      SLOW,
    );

    it(
      'falls to the next in line after COMMIT_FALLBACK_MS when the leader does not commit',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        room.silenced.add('ada');
        const started = performance.now();
        await room.join('dee');
        while (room.accepted.length === 2 && performance.now() - started < 4 * COMMIT_FALLBACK_MS) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await room.settle();
        expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ben', added: ['dee'] }));
        expect(room.accepted.at(-1)!.at - started)
          .withContext('not before its turn')
          .toBeGreaterThanOrEqual(COMMIT_FALLBACK_MS);
        // Cy, third in line, saw Ben's commit before its own turn.
        await new Promise((resolve) => setTimeout(resolve, COMMIT_FALLBACK_MS));
        expect(room.accepted.length).toBe(3);
        expect(room.stale).toEqual([]);
        for (const id of ['ben', 'cy', 'dee']) expect(room.peer(id).session.state.epoch).toBe(3);
        expect(room.peer('ada').session.state.epoch).withContext('ada heard nothing').toBe(2);
      },
      SLOW,
    );

    it(
      'starts a new group when everyone in it is gone, and adds those waiting',
      async () => {
        const room = await roomWith('ada');
        room.silenced.add('ada');
        await room.join('ben');
        await room.join('cy');
        await room.settle();
        expect(room.waiting.size).toBe(2);
        room.leave('ada');
        await room.settle();
        expectOneGroup(room, ['ben', 'cy']);
        expect(room.peer('ben').session.state.epoch).toBe(1);
        expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ben', added: ['cy'] }));
      },
      SLOW,
    );
  });

  describe('hop-by-hop', () => {
    it(
      'falls back for everyone when a member cannot encrypt media, and names it',
      async () => {
        const room = newRoom();
        await room.join('ada');
        await room.join('ben');
        await room.settle();
        await room.join('old', { media: false });
        await room.settle();
        expectOneGroup(room, ['ada', 'ben', 'old']);
        for (const id of ['ada', 'ben']) {
          const state = room.peer(id).session.state;
          expect(state.mode).toBe('hop-by-hop');
          expect(state.withoutE2ee).toEqual({ self: false, peers: ['old'] });
          expect(room.peer(id).media!.mode).toEqual({ encrypt: false, strict: false });
        }
        expect(room.peer('old').session.state.withoutE2ee).toEqual({ self: true, peers: [] });
        expect(room.peer('old').session.state.mode).toBe('hop-by-hop');
        // It gets chat like anyone else.
        room.relay('ada', (await room.peer('ada').session.seal({ t: 'chat', text: 'hi' }))!);
        await room.settle();
        expect(room.peer('old').messages.filter((message) => message.t === 'chat').length).toBe(1);
      },
      SLOW,
    );

    it(
      'keeps capable members encrypting when the link requires it',
      async () => {
        const required: RoomSecret = { ...newRoomSecret(), requireE2ee: true };
        const room = newRoom(required);
        await room.join('ada');
        await room.join('ben');
        await room.settle();
        await room.join('old', { media: false });
        await room.settle();
        for (const id of ['ada', 'ben']) {
          const state = room.peer(id).session.state;
          expect(room.peer(id).session.requireE2ee).toBeTrue();
          expect(state.mode).toBe('e2ee');
          expect(state.withoutE2ee.peers).toEqual(['old']);
          expect(room.peer(id).media!.mode).toEqual({ encrypt: true, strict: true });
        }
        expect(room.peer('old').session.state.mode).toBe('hop-by-hop');
      },
      SLOW,
    );
  });

  describe('against a malicious server', () => {
    it(
      'never adds a KeyPackage made without the link’s secret, and its maker never joins',
      async () => {
        const room = await roomWith('ada', 'ben');
        const epoch = room.peer('ada').session.state.epoch;
        const mallory = await room.join('mallory', { secret: newRoomSecret() });
        await room.settle();
        for (const id of ['ada', 'ben']) {
          const state = room.peer(id).session.state;
          expect([...state.refused])
            .withContext(id)
            .toEqual(['mallory']);
          expect(state.members.has('mallory')).toBeFalse();
          expect([...state.outside]).toEqual(['mallory']);
          expect(state.epoch).toBe(epoch);
        }
        expect(room.accepted.length).withContext('no commit for mallory').toBe(1);
        // Whatever the server hands her, she gets no key of the group.
        for (const { welcome, commit } of room.accepted) {
          await mallory.session.welcome(welcome!);
          await mallory.session.commit(commit);
        }
        expect(mallory.session.state.joined).toBeFalse();
        expect(mallory.media!.keys).toEqual([]);

        // Told to create a group of her own, she can, but nothing from it reaches the others.
        const eve = await room.join('eve', { secret: newRoomSecret(), group: 'create' });
        expect(eve.session.state.joined).toBeTrue();
        room.relay('eve', (await eve.session.seal({ t: 'chat', text: 'trust me' }))!);
        await room.settle();
        expect(room.peer('ada').messages.filter((message) => message.from === 'eve')).toEqual([]);
      },
      SLOW,
    );

    it(
      'shows a member that the server never listed as a ghost to everyone, and the code changes',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        const codeBefore = room.peer('ben').session.state.code;
        // Ada (an insider with the link) adds a participant the server never shows; the server helps.
        const ghost = new LocalMls();
        const ghostKeyPackage = await ghost.init(room.secret.secret, ROOM, { peerId: 'ghost', e2ee: true });
        const proposal = (await room.peer('ada').mls.propose([{ peerId: 'ghost', keyPackage: ghostKeyPackage }], []))!;
        expect(proposal.added).toEqual(['ghost']);
        await room.peer('ada').mls.confirm();
        const ghostView = await ghost.join(proposal.welcome!);
        room.refuse = (_from, commit) => commit.removed.includes('ghost');
        room.members.add('ghost');
        room.epoch++;
        for (const id of ['ben', 'cy']) room.notify(id, (them) => them.commit(toBase64Url(proposal.commit)));
        await room.settle();
        for (const id of ['ben', 'cy']) {
          const state = room.peer(id).session.state;
          expect(state.ghosts).withContext(`${id} sees the ghost`).toEqual(['ghost']);
          expect(state.members.has('ghost')).toBeTrue();
          expect(state.code).withContext(`${id}'s code changed`).not.toEqual(codeBefore);
        }
        expect(room.peer('ben').session.state.code).toEqual(room.peer('cy').session.state.code);
        expect(verificationCode(ghostView.authenticator))
          .withContext('the ghost holds the keys of this epoch')
          .toEqual(room.peer('ben').session.state.code);
        // Ben (first in line after Ada, who does not) tries to remove it in his turn; this server refuses.
        const started = performance.now();
        while (!room.stale.some((commit) => commit.removed.includes('ghost')) && performance.now() - started < 3 * COMMIT_FALLBACK_MS) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(room.stale.find((commit) => commit.removed.includes('ghost'))?.from).toBe('ben');
        await room.settle();
        expect(room.peer('ben').session.state.ghosts).toEqual(['ghost']);
      },
      SLOW,
    );

    it(
      'shows someone who left as a ghost only once their Remove has not come for REMOVAL_GRACE_MS',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        // This server never relays a Remove of Cy: Cy, gone from the roster, keeps the keys.
        room.refuse = (_from, commit) => commit.removed.includes('cy');
        room.leave('cy');
        await room.settle();
        expect(room.peer('ada').session.state.members.has('cy')).toBeTrue();
        expect(room.peer('ada').session.state.ghosts).withContext('just left: a Remove is on its way').toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, REMOVAL_GRACE_MS + 200));
        for (const id of ['ada', 'ben']) {
          expect(room.peer(id).session.state.ghosts).withContext(`${id}: still in the group, long gone`).toEqual(['cy']);
        }
      },
      SLOW,
    );

    it(
      'has the honest members remove a ghost when the server lets them',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        const ghost = new LocalMls();
        const ghostKeyPackage = await ghost.init(room.secret.secret, ROOM, { peerId: 'ghost', e2ee: true });
        // Cy is the insider this time; Ada, first in line, removes what the server does not list.
        const proposal = (await room.peer('cy').mls.propose([{ peerId: 'ghost', keyPackage: ghostKeyPackage }], []))!;
        await room.peer('cy').mls.confirm();
        room.members.add('ghost');
        room.epoch++;
        for (const id of ['ada', 'ben']) room.notify(id, (them) => them.commit(toBase64Url(proposal.commit)));
        await room.settle();
        expect(room.accepted.at(-1)).toEqual(jasmine.objectContaining({ from: 'ada', removed: ['ghost'] }));
        for (const id of ['ada', 'ben']) expect(room.peer(id).session.state.ghosts).toEqual([]);
      },
      SLOW,
    );

    it(
      'cannot hide a man in the middle: two bridged groups show two codes',
      async () => {
        const secret = newRoomSecret();
        // The server puts Ada in one group with "ben", and Ben in another with "ada": both are the attacker's, with the link.
        const [left, right] = [newRoom(secret), newRoom(secret)];
        const ada = await left.join('ada');
        await left.join('ben');
        await left.settle();
        const ben = await right.join('ben');
        await right.join('ada');
        await right.settle();
        expect([...ada.session.state.members]).toEqual(['ben']);
        expect([...ben.session.state.members]).toEqual(['ada']);
        for (const state of [ada.session.state, ben.session.state]) {
          expect(state.ghosts).toEqual([]);
          expect([...state.refused]).toEqual([]);
          expect(state.epoch).toBe(1);
        }
        expect(ada.session.state.code).not.toEqual(ben.session.state.code);
        expect(ada.session.state.fullCode).not.toBe(ben.session.state.fullCode);
        // Ada's key for "ben" is not Ben's own: the attacker has to re-encrypt, and the codes give it away.
        expect(ada.media!.at(1).get('ben')).not.toBe(ben.media!.at(1).get('ben'));
      },
      SLOW,
    );

    it(
      'ignores a replayed old commit or Welcome, and never gives a newcomer a secret from before its Add',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        const snapshot = () =>
          ['ada', 'ben', 'cy'].map((id) => ({
            epoch: room.peer(id).session.state.epoch,
            code: room.peer(id).session.state.code,
            keys: room.peer(id).media!.keys.length,
          }));
        const before = snapshot();
        for (const old of room.accepted) {
          for (const id of ['ada', 'ben', 'cy']) {
            room.notify(id, (them) => them.commit(old.commit));
            room.notify(id, (them) => them.welcome(old.welcome!));
          }
        }
        await room.settle();
        expect(snapshot()).toEqual(before);

        // A newcomer handed old Welcomes first: it waits for its own.
        room.silenced.add('ada');
        room.silenced.add('ben');
        room.silenced.add('cy');
        const dee = await room.join('dee');
        for (const old of room.accepted) await dee.session.welcome(old.welcome!);
        expect(dee.session.state.joined).toBeFalse();
        expect(dee.media!.keys).toEqual([]);
        room.silenced.clear();
        for (const id of ['ada', 'ben', 'cy']) room.notify(id, (them) => them.peerJoined('dee'));
        room.notify('ada', (them) => them.keyPackage('dee', room.waiting.get('dee')!));
        await room.settle();
        expect(dee.session.state.joined).toBeTrue();
        const epoch = dee.session.state.epoch;
        expect(epoch).toBe(before[0].epoch + 1);
        expect(dee.media!.keys.every((key) => key.epoch === epoch)).toBeTrue();
        // Old commits replayed to it change nothing either.
        for (const old of room.accepted.slice(0, -1)) await dee.session.commit(old.commit);
        expect(dee.session.state.epoch).toBe(epoch);
        expect(dee.media!.keys.length).toBe(4);
      },
      SLOW,
    );

    it(
      'drops chat that the server relays as from someone other than its signer',
      async () => {
        const room = await roomWith('ada', 'ben', 'cy');
        const payload = (await room.peer('ben').session.seal({ t: 'chat', text: 'I am ada' }))!;
        room.relay('ada', payload, ['cy']);
        await room.settle();
        expect(room.peer('cy').messages.filter((message) => message.t === 'chat')).toEqual([]);
        // Ben's own messages, relayed as his, arrive.
        const genuine = (await room.peer('ben').session.seal({ t: 'chat', text: 'I am ben' }))!;
        room.relay('ben', genuine, ['cy']);
        await room.settle();
        expect(room.peer('cy').messages.filter((message) => message.t === 'chat')).toEqual([{ from: 'ben', t: 'chat', text: 'I am ben' }]);
      },
      SLOW,
    );

    it(
      'delivers a replayed chat line once',
      async () => {
        const room = await roomWith('ada', 'ben');
        const payload = (await room.peer('ada').session.seal({ t: 'chat', text: 'once' }))!;
        room.relay('ada', payload);
        room.relay('ada', payload);
        await room.settle();
        room.relay('ada', payload);
        await room.settle();
        expect(room.peer('ben').messages.filter((message) => message.t === 'chat')).toEqual([{ from: 'ada', t: 'chat', text: 'once' }]);
      },
      SLOW,
    );
  });

  it(
    'follows a host’s new link into an epoch under its PSK; whoever has only the old one follows nothing; newcomers need the new one',
    async () => {
      const room = await roomWith('ada', 'ben', 'cy', 'eve');
      const [ada, ben, cy, eve] = ['ada', 'ben', 'cy', 'eve'].map((id) => room.peer(id));
      // Eve stands for whoever holds only the old link: she never takes the new one.
      for (const peer of [ben, cy]) peer.session.trustLinkFrom = (peerId) => peerId === 'ada';
      const before = ada.session.state.epoch;
      const next = renewedSecret(ada.session.link);
      await ada.session.renewLink(next);
      await room.settle();

      for (const peer of [ada, ben, cy]) {
        expect(peer.session.state.epoch)
          .withContext(`${peer.id}'s epoch`)
          .toBe(before + 1);
        expect(peer.session.link.secret).withContext(`${peer.id}'s link`).toEqual(next.secret);
        expect(peer.session.link.admission).withContext('the first secret vouches for members').toEqual(room.secret.secret);
        expect(peer.media!.at(before + 1).size).toBe(4);
      }
      expect(eve.session.state.epoch).withContext('the old link follows no epoch after').toBe(before);
      expect(eve.media!.at(before + 1).size).toBe(0);

      // A link from someone who is not a host is not taken.
      const forged = (await ben.session.seal({ t: 'link', k: toBase64Url(newRoomSecret().secret) }))!;
      room.relay('ben', forged, ['cy']);
      await room.settle();
      expect(cy.session.link.secret).toEqual(next.secret);

      room.leave('eve');
      await room.settle();
      await room.join('dee', { secret: guestSecret(next) });
      // Had the server let someone in with the old link, the members would not add them.
      const fay = await room.join('fay', { secret: guestSecret(room.secret) });
      await room.settle();
      expect([...ada.session.state.refused]).toEqual(['fay']);
      expect(fay.session.state.joined).withContext('the old link enters no epoch').toBeFalse();
      expect(fay.media!.keys).toEqual([]);
      room.leave('fay');
      await room.settle();
      expectOneGroup(room, ['ada', 'ben', 'cy', 'dee']);
    },
    SLOW,
  );

  it(
    'tracks verification: verified for the epoch compared, then what changed',
    async () => {
      const room = await roomWith('ada', 'ben', 'cy');
      const ada = room.peer('ada').session;
      const states: string[] = [];
      ada.onChange((state) => states.push(state.verification.status));
      ada.markVerified();
      expect(ada.state.verification).toEqual({ status: 'verified' });
      expect(states.at(-1)).toBe('verified');
      await room.join('dee');
      await room.settle();
      expect(ada.state.verification).toEqual({ status: 'changed', joined: ['dee'], left: [] });
      room.leave('ben');
      await room.settle();
      expect(ada.state.verification).toEqual({ status: 'changed', joined: ['dee'], left: ['ben'] });
      ada.markVerified();
      expect(ada.state.verification).toEqual({ status: 'verified' });
    },
    SLOW,
  );

  it('fails to start, publishing nothing, when the media worker never ran (its code did not load)', async () => {
    const media = new FakeMedia();
    media.runs = false;
    const published: string[] = [];
    const delivery: Delivery = {
      publishKeyPackage: async (keyPackage) => published.push(keyPackage),
      commit: async () => 'accepted',
      sendGroupMessage: async () => undefined,
    };
    const session = new E2eeSession(newRoomSecret(), media as unknown as MediaEncryption, new LocalMls(), delivery);
    await expectAsync(session.start('ada', ROOM, 'join', ['ben'])).toBeRejectedWithError(WorkerGone);
    expect(published).toEqual([]);
    expect(session.state.joined).toBeFalse();
    session.close();
  });
});

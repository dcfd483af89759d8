import { fromBase64Url, toBase64Url, utf8 } from './bytes';
import { Identity, seal, signAnnouncement, unseal, verifyAnnouncement } from './key-exchange';
import { KeyRing, RING_SIZE, type RingKey } from './key-ring';
import { context, deriveAuthKey, newMaterial } from './key-schedule';
import type { MediaEncryption } from './media-encryption';
import type { RoomSecret } from './room-secret';
import { shortAuthenticationString } from './sas';

/** How long senders keep their old key after someone left, so the others have the new one first. */
export const ROTATION_DELAY_MS = 500;

export type E2eeMode = 'e2ee' | 'hop-by-hop';

export interface E2eeState {
  /** e2ee: every frame is end-to-end encrypted; hop-by-hop: DTLS-SRTP only, because someone's browser cannot. */
  readonly mode: E2eeMode;
  /** Who cannot encrypt media (peer ids), and whether this browser cannot. */
  readonly withoutE2ee: { readonly self: boolean; readonly peers: readonly string[] };
  /** Peers who proved they hold the link's secret. */
  readonly verified: ReadonlySet<string>;
  /** Peers who announced without it (a wrong or forged link): they get no keys. */
  readonly unverified: ReadonlySet<string>;
  /** The short authentication string over everyone's keys: six indexes into SAS_SYMBOLS. */
  readonly sas: readonly number[];
}

/** The key-exchange messages, carried opaquely by the server. */
type Hello = { t: 'hello'; key: string; e2ee: boolean; mac: string; reply?: true };
type KeyGift = { t: 'key'; i: number; iv: string; c: string };
type KeyRequest = { t: 'key-request' };
type ChatEnvelope = { i: number; iv: string; c: string };

interface Member {
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly e2ee: boolean;
  readonly pairKey: CryptoKey;
  /** Their media keys, for their chat messages (the worker keeps its own copy for frames). */
  readonly ring: KeyRing;
}

function encode(message: object): string {
  return toBase64Url(utf8(JSON.stringify(message)));
}

function parse<T>(bytes: Uint8Array | undefined): T | undefined {
  try {
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as T) : undefined;
  } catch {
    return undefined;
  }
}

const decode = <T>(payload: string): T | undefined => parse<T>(fromBase64Url(payload));

/**
 * One participant's end-to-end key management for one call:
 * - announces an ephemeral public key, authenticated with the link's secret;
 * - gives its media key to every authenticated participant, encrypted
 *   pairwise (ECDH + the room secret);
 * - ratchets its key when someone joins (the newcomer cannot read earlier
 *   media) and makes a fresh one when someone leaves (the leaver cannot read
 *   later media);
 * - encrypts and decrypts chat with the same keys;
 * - decides the room's mode: E2EE unless an authenticated participant's
 *   browser cannot (and the room does not require it).
 */
export class E2eeSession {
  readonly #members = new Map<string, Member>();
  readonly #unverified = new Set<string>();
  readonly #own = new KeyRing();
  readonly #listeners = new Set<(state: E2eeState) => void>();
  /** Who is waiting for whose first key. */
  readonly #keyWaiters = new Map<string, Array<() => void>>();
  #selfId = '';
  #state: E2eeState;
  #work: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly room: RoomSecret,
    private readonly identity: Identity,
    private readonly authKey: CryptoKey,
    /** Undefined when this browser cannot transform media: it sends and receives plain frames. */
    readonly media: MediaEncryption | undefined,
    private readonly send: (to: string | undefined, payload: string) => Promise<unknown>,
  ) {
    this.#state = { mode: 'e2ee', withoutE2ee: { self: !media, peers: [] }, verified: new Set(), unverified: new Set(), sas: [] };
    if (media) media.onKeyMissing = (peerId) => void this.requestKey(peerId);
  }

  static async create(
    room: RoomSecret,
    media: MediaEncryption | undefined,
    send: (to: string | undefined, payload: string) => Promise<unknown>,
  ): Promise<E2eeSession> {
    const [identity, authKey] = await Promise.all([Identity.create(), deriveAuthKey(room.secret)]);
    return new E2eeSession(room, identity, authKey, media, send);
  }

  get state(): E2eeState {
    return this.#state;
  }

  get requireE2ee(): boolean {
    return this.room.requireE2ee;
  }

  onChange(listener: (state: E2eeState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Joined as `selfId`: makes the first media key and tells everyone who we are. */
  async start(selfId: string): Promise<void> {
    this.#selfId = selfId;
    await this.#own.set(0, newMaterial());
    this.encryptWithNewestKey();
    await this.update();
    await this.hello(undefined, false);
  }

  /** A key-exchange message from another participant; anything malformed or unauthentic is ignored. */
  receive(from: string, payload: string): Promise<void> {
    const message = decode<Hello | KeyGift | KeyRequest>(payload);
    if (message?.t === 'hello') return this.serially(() => this.onHello(from, message));
    if (message?.t === 'key') return this.serially(() => this.onKey(from, message));
    // A member who fell behind our ratchet (many joins at once) gets our current key again.
    if (message?.t === 'key-request') return this.serially(() => this.giveKey(from));
    return Promise.resolve();
  }

  /** Someone left: forget them and change our key, so they cannot read what we send from now on. */
  peerLeft(peerId: string): Promise<void> {
    return this.serially(async () => {
      const wasMember = this.#members.delete(peerId);
      this.#unverified.delete(peerId);
      this.media?.forget(peerId);
      if (wasMember) await this.rotate();
      await this.update();
    });
  }

  /**
   * Resolves once this session has a media key from `peerId` (or after
   * `timeoutMs`), so a receiver can ask for a stream's first key frame only
   * when it can decrypt it: a key frame dropped for want of a key costs a
   * wait for the next one.
   */
  keyReady(peerId: string, timeoutMs: number): Promise<void> {
    if (this.#members.get(peerId)?.ring.newest) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const waiters = this.#keyWaiters.get(peerId) ?? [];
      waiters.push(() => (clearTimeout(timer), resolve()));
      this.#keyWaiters.set(peerId, waiters);
    });
  }

  /** The call is over: the media worker (and every key in it) goes. */
  close(): void {
    this.media?.terminate();
    this.#listeners.clear();
  }

  /** Asks a member for their current key, when their frames or messages no longer decrypt. */
  async requestKey(peerId: string): Promise<void> {
    if (this.#members.has(peerId)) await this.send(peerId, encode({ t: 'key-request' } satisfies KeyRequest));
  }

  async encryptChat(text: string): Promise<string> {
    const key = this.#own.newest;
    if (!key) throw new Error('not started');
    const { iv, ciphertext } = await seal(key.chatKey, utf8(JSON.stringify({ text })), context('chat', this.#selfId, String(key.index)));
    return toBase64Url(utf8(JSON.stringify({ i: key.index, iv: toBase64Url(iv), c: toBase64Url(ciphertext) } satisfies ChatEnvelope)));
  }

  /** The text of a chat message, or undefined if it is not from an authenticated participant or was altered. */
  async decryptChat(from: string, payload: string): Promise<string | undefined> {
    const member = this.#members.get(from);
    const envelope = decode<ChatEnvelope>(payload);
    const iv = fromBase64Url(envelope?.iv ?? '!');
    const ciphertext = fromBase64Url(envelope?.c ?? '!');
    if (!member || !envelope || !iv || !ciphertext || !Number.isInteger(envelope.i)) return undefined;
    const aad = context('chat', from, String(envelope.i));
    const open = async (key: RingKey | undefined) => (key ? unseal(key.chatKey, { iv, ciphertext }, aad) : undefined);
    let plain = await open(member.ring.get(envelope.i));
    if (!plain) {
      const candidate = await member.ring.candidate(envelope.i);
      plain = await open(candidate);
      if (plain && candidate) member.ring.accept(candidate);
    }
    if (!plain) void this.requestKey(from);
    const text = parse<{ text?: unknown }>(plain)?.text;
    return typeof text === 'string' ? text : undefined;
  }

  private async onHello(from: string, hello: Hello): Promise<void> {
    if (this.#members.has(from)) return;
    const publicKey = fromBase64Url(hello.key);
    const mac = fromBase64Url(hello.mac);
    const authentic = publicKey && mac && (await verifyAnnouncement(this.authKey, from, publicKey, hello.e2ee === true, mac));
    const pairKey = authentic ? await this.identity.pairKey(publicKey, this.room.secret, this.#selfId, from) : undefined;
    if (!publicKey || !pairKey) {
      this.#unverified.add(from);
      await this.update();
      return;
    }
    this.#members.set(from, { publicKey, e2ee: hello.e2ee === true, pairKey, ring: new KeyRing() });
    this.#unverified.delete(from);
    if (!hello.reply) {
      // Someone new: they learn who we are, and get our key only after a ratchet step.
      await this.hello(from, true);
      await this.#own.advance();
      this.encryptWithNewestKey();
    }
    await this.giveKey(from);
    await this.update();
  }

  private async onKey(from: string, gift: KeyGift): Promise<void> {
    const member = this.#members.get(from);
    const iv = fromBase64Url(gift.iv);
    const ciphertext = fromBase64Url(gift.c);
    if (!member || !iv || !ciphertext || !Number.isInteger(gift.i) || gift.i < 0 || gift.i >= RING_SIZE) return;
    const material = await unseal(member.pairKey, { iv, ciphertext }, context('key', from, this.#selfId, String(gift.i)));
    if (material?.length !== 32) return;
    await member.ring.set(gift.i, material);
    this.media?.setKey(from, gift.i, material);
    for (const resolve of this.#keyWaiters.get(from) ?? []) resolve();
    this.#keyWaiters.delete(from);
  }

  private async hello(to: string | undefined, reply: boolean): Promise<void> {
    const e2ee = !!this.media;
    const mac = await signAnnouncement(this.authKey, this.#selfId, this.identity.publicKey, e2ee);
    const hello: Hello = {
      t: 'hello',
      key: toBase64Url(this.identity.publicKey),
      e2ee,
      mac: toBase64Url(mac),
      ...(reply ? { reply: true as const } : {}),
    };
    await this.send(to, encode(hello));
  }

  private async giveKey(to: string): Promise<void> {
    const member = this.#members.get(to);
    const key = this.#own.newest;
    if (!member || !key) return;
    const { iv, ciphertext } = await seal(member.pairKey, key.material, context('key', this.#selfId, to, String(key.index)));
    await this.send(to, encode({ t: 'key', i: key.index, iv: toBase64Url(iv), c: toBase64Url(ciphertext) } satisfies KeyGift));
  }

  /** A fresh random key for everyone still here; senders switch to it once they all have it. */
  private async rotate(): Promise<void> {
    const index = ((this.#own.newest?.index ?? -1) + 1) % RING_SIZE;
    const material = newMaterial();
    await this.#own.set(index, material);
    await Promise.all([...this.#members.keys()].map((peerId) => this.giveKey(peerId)));
    setTimeout(() => this.encryptWithNewestKey(), ROTATION_DELAY_MS);
  }

  /**
   * Our worker encrypts with our newest key. Always the newest at the time of
   * the call: a rotation's delayed switch must not undo a ratchet that a
   * join caused meanwhile (the newcomer holds only the ratcheted key).
   */
  private encryptWithNewestKey(): void {
    const newest = this.#own.newest;
    if (newest) this.media?.setKey(this.#selfId, newest.index, newest.material);
  }

  private async update(): Promise<void> {
    const withoutE2ee = { self: !this.media, peers: [...this.#members].filter(([, member]) => !member.e2ee).map(([peerId]) => peerId) };
    const everyoneCan = !withoutE2ee.self && withoutE2ee.peers.length === 0;
    const mode: E2eeMode = everyoneCan || (this.room.requireE2ee && !withoutE2ee.self) ? 'e2ee' : 'hop-by-hop';
    this.media?.setMode(mode === 'e2ee' ? { encrypt: true, strict: true } : { encrypt: false, strict: false });
    const sas = await shortAuthenticationString([
      this.identity.publicKey,
      ...[...this.#members.values()].map((member) => member.publicKey),
    ]);
    this.#state = { mode, withoutE2ee, verified: new Set(this.#members.keys()), unverified: new Set(this.#unverified), sas };
    for (const listener of this.#listeners) listener(this.#state);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.#work.then(work);
    this.#work = next.catch(() => undefined);
    return next;
  }
}

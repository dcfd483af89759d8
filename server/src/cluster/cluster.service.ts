import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createClient } from '@redis/client';
import { createHash, randomBytes } from 'node:crypto';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { parseBusMessage, type BusMessage } from './bus-message';

/**
 * A node's key lives this long unless renewed: a node that stops beating (frozen, or cut off from Redis) is known as
 * dead within it; one whose process ended, at once (IS_ALIVE).
 */
const NODE_TTL_MS = 3000;
const HEARTBEAT_MS = 1000;
/** A room's claim outlives short Redis hiccups; a dead holder is recognised as IS_ALIVE tells, not by this. */
const ROOM_TTL_MS = 30_000;
/** Node ids are 9 bytes: 12 characters of base64url, which also start every resume token this node hands out. */
const NODE_ID_BYTES = 9;
const RESUME_TOKEN_BYTES = 32;
/** A node that does not answer a call within this is taken as gone for that call. */
const CALL_TIMEOUT_MS = 5000;

/**
 * Lua: whether a node is alive. Its key is there (renewed every second, so
 * gone NODE_TTL_MS after its last beat) and its process listens on its
 * channel: Redis drops a subscription as soon as the connection closes, so a
 * node that crashed or was killed is known as dead at once, not when its key
 * expires.
 */
const IS_ALIVE = `local function alive(key, channel)
  return redis.call('EXISTS', key) == 1 and redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0
end`;
/** KEYS: the node's key; ARGV: its channel. */
const ALIVE = `${IS_ALIVE}
return alive(KEYS[1], ARGV[1]) and 1 or 0`;

/**
 * Who holds a room: the holder while its node is alive, else (or when nobody
 * does) this node, atomically, so two nodes never both become its home.
 */
const CLAIM = `${IS_ALIVE}
local holder = redis.call('GET', KEYS[1])
if holder and alive(ARGV[3] .. holder, ARGV[4] .. holder) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return holder
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;
/**
 * Renews this node's claims (KEYS: the rooms it holds; ARGV: its id and the
 * time to live): a claim that vanished (Redis restarted) is made again; the
 * indexes of those another node holds now (it took this node for dead) come
 * back, so that their people move there.
 */
const RENEW = `
local lost = {}
for index, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if not holder or holder == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    lost[#lost + 1] = index
  end
end
return lost`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const NODE_KEY = 'raum:node:';
const ROOM_KEY = 'raum:room:';
const BUS = 'raum:bus:';

function redisClient(url: string) {
  return createClient({
    url,
    // While Redis is away a command fails at once rather than waiting in a queue: a join is refused, not left hanging.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
}
type Client = ReturnType<typeof redisClient>;

/**
 * This node's place among the Raum nodes that share one Redis (RAUM_REDIS_URL):
 * a node key renewed every second, the home of each room (its first node,
 * until that node dies), and a channel per node for the signalling of people
 * whose socket landed elsewhere. Redis holds only node ids and hashed room
 * ids, all expiring, and passes messages on without keeping them. Without
 * RAUM_REDIS_URL this node is alone and the home of every room.
 */
@Injectable()
export class ClusterService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  readonly nodeId = randomBytes(NODE_ID_BYTES).toString('base64url');
  #commands: Client | undefined;
  #subscriber: Client | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** The rooms whose home this node is: their ids, by the hash Redis knows them by. */
  readonly #held = new Map<string, string>();
  /** Who is told when another node took one of those over. */
  readonly #lostListeners = new Set<(roomId: string) => void>();
  /** Other nodes this one relays for, with what to do once each is gone. */
  readonly #watched = new Map<string, Set<() => void>>();
  readonly #listeners = new Set<(message: BusMessage) => void>();
  readonly #handlers = new Map<string, (data: unknown, from: string) => Promise<unknown>>();
  readonly #calls = new Map<string, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();
  #unreachable = false;

  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  get enabled(): boolean {
    return this.#commands !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.redisUrl;
    if (url === undefined) return;
    const commands = redisClient(url);
    commands.on('error', () => this.unreachable());
    const subscriber = commands.duplicate();
    subscriber.on('error', () => this.unreachable());
    await Promise.all([commands.connect(), subscriber.connect()]);
    await subscriber.subscribe(BUS + this.nodeId, (text) => this.deliver(text));
    this.#commands = commands;
    this.#subscriber = subscriber;
    await this.beat();
    this.#heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.#heartbeat);
    const commands = this.#commands;
    if (!commands) return;
    this.#commands = undefined;
    try {
      // Gone at once, not after the key's time: the others re-home this node's rooms when their people come back.
      await commands.del([NODE_KEY + this.nodeId, ...[...this.#held.keys()].map((room) => ROOM_KEY + room)]);
    } catch {
      // Redis is gone too; the keys expire.
    }
    await Promise.allSettled([commands.close(), this.#subscriber?.close()]);
  }

  /** The node that is (or, if none is alive, now becomes: this one) the home of `roomId`. */
  async homeOf(roomId: string): Promise<string> {
    const commands = this.#commands;
    if (!commands) return this.nodeId;
    const holder = await commands.eval(CLAIM, {
      keys: [ROOM_KEY + roomKey(roomId)],
      arguments: [this.nodeId, String(ROOM_TTL_MS), NODE_KEY, BUS],
    });
    return String(holder);
  }

  /** A room opened here: its claim is renewed with every heartbeat. */
  hold(roomId: string): void {
    if (this.enabled) this.#held.set(roomKey(roomId), roomId);
  }

  /** A room here closed: its claim goes (if it is still this node's). */
  letGo(roomId: string): void {
    const key = roomKey(roomId);
    if (!this.#held.delete(key)) return;
    void this.#commands?.eval(RELEASE, { keys: [ROOM_KEY + key], arguments: [this.nodeId] }).catch(() => undefined);
  }

  /**
   * Calls `listener` with a room this node held that another node took over,
   * having taken this one for dead (its channel was away for a moment, or it
   * missed its beats); the room is no longer held here.
   */
  onLost(listener: (roomId: string) => void): void {
    this.#lostListeners.add(listener);
  }

  /** Whether `node` is alive now. */
  async alive(node: string): Promise<boolean> {
    if (node === this.nodeId) return true;
    return Number(await this.#commands?.eval(ALIVE, aliveArguments(node))) === 1;
  }

  /** Calls `gone` once `node` is no longer alive; returns what stops watching. */
  watch(node: string, gone: () => void): () => void {
    let watchers = this.#watched.get(node);
    if (!watchers) this.#watched.set(node, (watchers = new Set()));
    watchers.add(gone);
    return () => {
      watchers.delete(gone);
      if (watchers.size === 0 && this.#watched.get(node) === watchers) this.#watched.delete(node);
    };
  }

  send(node: string, message: BusMessage): void {
    void this.#commands?.publish(BUS + node, JSON.stringify(message)).catch(() => undefined);
  }

  onMessage(listener: (message: BusMessage) => void): void {
    this.#listeners.add(listener);
  }

  /** Asks `node` to run `method`; fails when it refuses, or says nothing within `timeoutMs` (it may be gone). */
  call<T>(node: string, method: string, data: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    const id = randomBytes(12).toString('base64url');
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(id);
        reject(new Error(`${method}: no answer from the other node`));
      }, timeoutMs);
      this.#calls.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.send(node, { t: 'call', id, from: this.nodeId, method, data });
    });
  }

  /** What this node does when another one calls `method`. */
  answer<D, T>(method: string, handler: (data: D, from: string) => Promise<T>): void {
    this.#handlers.set(method, handler as (data: unknown, from: string) => Promise<unknown>);
  }

  /** A resume token that names this node, so that a socket landing elsewhere finds the session. */
  newResumeToken(): string {
    const bytes = Buffer.concat([Buffer.from(this.nodeId, 'base64url'), randomBytes(RESUME_TOKEN_BYTES - NODE_ID_BYTES)]);
    return bytes.toString('base64url');
  }

  nodeOfToken(token: string): string {
    return Buffer.from(token, 'base64url').subarray(0, NODE_ID_BYTES).toString('base64url');
  }

  private deliver(text: string): void {
    const message = parseBusMessage(text);
    if (message?.t === 'call') void this.run(message);
    else if (message?.t === 'reply') {
      const call = this.#calls.get(message.id);
      this.#calls.delete(message.id);
      if (message.ok) call?.resolve(message.data);
      else call?.reject(new Error(message.error));
    } else if (message) for (const listener of this.#listeners) listener(message);
  }

  private async run({ id, from, method, data }: Extract<BusMessage, { t: 'call' }>): Promise<void> {
    const handler = this.#handlers.get(method);
    try {
      if (!handler) throw new Error(`${method} is not known here`);
      this.send(from, { t: 'reply', id, ok: true, data: await handler(data, from) });
    } catch (error) {
      this.send(from, { t: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async beat(): Promise<void> {
    const commands = this.#commands;
    if (!commands) return;
    const watched = [...this.#watched.keys()];
    const held = [...this.#held.keys()];
    try {
      const batch = commands.multi().set(NODE_KEY + this.nodeId, '1', { PX: NODE_TTL_MS });
      batch.eval(RENEW, { keys: held.map((room) => ROOM_KEY + room), arguments: [this.nodeId, String(ROOM_TTL_MS)] });
      for (const node of watched) batch.eval(ALIVE, aliveArguments(node));
      const [, lost, ...alive] = await batch.exec();
      for (const index of Array.isArray(lost) ? lost : []) this.lost(held[Number(index) - 1]!);
      watched.forEach((node, index) => Number(alive[index]) !== 1 && this.gone(node));
      if (this.#unreachable) this.logger.warn('Redis is reachable again');
      this.#unreachable = false;
    } catch {
      this.unreachable();
    }
  }

  private lost(room: string): void {
    const roomId = this.#held.get(room);
    if (roomId === undefined) return;
    this.#held.delete(room);
    for (const listener of this.#lostListeners) listener(roomId);
  }

  private gone(node: string): void {
    const watchers = this.#watched.get(node);
    this.#watched.delete(node);
    for (const gone of watchers ?? []) gone();
  }

  private unreachable(): void {
    if (this.#unreachable) return;
    this.#unreachable = true;
    this.logger.warn('Redis cannot be reached; meetings on this node go on, new ones wait for it');
  }
}

/** ALIVE's keys and arguments for `node`. */
function aliveArguments(node: string) {
  return { keys: [NODE_KEY + node], arguments: [BUS + node] };
}

/** Rooms are known to Redis by a hash: a room link's path is not in it. */
function roomKey(roomId: string): string {
  return createHash('sha256').update('raum room').update(roomId).digest('base64url').slice(0, 22);
}

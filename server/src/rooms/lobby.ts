import type { Knock } from '@raum/protocol';
import { InvalidStateError, NotFoundError } from '../common/errors';
import type { Peer } from './peer';

/** Someone waiting to be let in, with what they asked for when joining. */
export interface Waiting {
  readonly peer: Peer;
  readonly requireE2ee: boolean;
  /** Their name, sealed for the members; hosts see a knock once it came. */
  name?: string;
}

/**
 * A meeting's lobby: whether newcomers wait, and who waits. Someone waiting
 * is not in the room: no media, no KeyPackage relayed, no roster. The server
 * keeps their sealed name only to show hosts who join later.
 */
export class Lobby {
  readonly #waiting = new Map<string, Waiting>();
  #on = false;

  constructor(private readonly capacity: number) {}

  get on(): boolean {
    return this.#on;
  }

  /** Switches it on or off; off hands back everyone who waited. */
  set(on: boolean): Waiting[] {
    this.#on = on;
    return on ? [] : this.drain();
  }

  /** False when the lobby is full (as many waiting as the room holds). */
  add(peer: Peer, requireE2ee: boolean): boolean {
    if (this.#waiting.size >= this.capacity) return false;
    this.#waiting.set(peer.id, { peer, requireE2ee });
    return true;
  }

  /** Their sealed name arrives; once per knock. */
  name(peerId: string, name: string): Knock {
    const waiting = this.#waiting.get(peerId);
    if (!waiting) throw new NotFoundError('knock');
    if (waiting.name !== undefined) throw new InvalidStateError('this knock has its name already');
    waiting.name = name;
    return { knockId: peerId, name };
  }

  get(knockId: string): Waiting {
    const waiting = this.#waiting.get(knockId);
    if (!waiting) throw new NotFoundError('knock');
    return waiting;
  }

  /** Takes someone out of the lobby (admitted, turned away or gone); undefined when they were not in it. */
  take(knockId: string): Waiting | undefined {
    const waiting = this.#waiting.get(knockId);
    this.#waiting.delete(knockId);
    return waiting;
  }

  /** Everyone waiting, out of the lobby. */
  drain(): Waiting[] {
    const all = [...this.#waiting.values()];
    this.#waiting.clear();
    return all;
  }

  /** The knocks hosts see: those who sent their name. */
  get knocks(): Knock[] {
    return [...this.#waiting.values()].flatMap(({ peer, name }) => (name === undefined ? [] : [{ knockId: peer.id, name }]));
  }
}

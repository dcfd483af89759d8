import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { NotificationData, NotificationMethod, PeerInfo } from '@raum/protocol';
import { RaumError } from '../common/errors';
import { Peer, producerInfo } from './peer';

type RoomEvents = { close: [] };

/**
 * A meeting: one mediasoup router and the peers in it. The room tells its
 * peers about each other; it closes its router (and itself) when the last
 * peer leaves, so an empty room holds nothing.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly #peers = new Map<string, Peer>();
  #closed = false;
  /** Once anyone's link asks for it (or the operator), browsers without end-to-end encryption stay out. */
  #requireE2ee: boolean;

  constructor(
    readonly router: types.Router,
    readonly webRtcServer: types.WebRtcServer,
    private readonly maxPeers: number,
    requireE2ee: boolean,
  ) {
    super();
    this.#requireE2ee = requireE2ee;
  }

  get requireE2ee(): boolean {
    return this.#requireE2ee;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  /** Adds a peer and returns who was there before it. */
  admit(peer: Peer, requireE2ee: boolean): PeerInfo[] {
    if (this.#closed) throw new RaumError('internal', 'the room closed while joining; join again');
    if (this.#peers.size >= this.maxPeers) throw new RaumError('room-full', `this room is full (${this.maxPeers} people)`);
    if (!peer.e2ee && (this.#requireE2ee || requireE2ee)) {
      throw new RaumError('e2ee-required', 'this meeting admits only browsers that encrypt end to end');
    }
    this.#requireE2ee ||= requireE2ee;
    const others = [...this.#peers.values()].map((other) => other.info());
    this.broadcast(peer, 'peerJoined', { peer: peer.info() });
    this.#peers.set(peer.id, peer);
    return others;
  }

  /** Removes a peer, releasing all it holds, and closes the room if it was the last. */
  remove(peer: Peer): void {
    if (!this.#peers.delete(peer.id)) return;
    // Its consumers elsewhere close with its producers; peerLeft tells the others.
    peer.close();
    this.broadcast(peer, 'peerLeft', { peerId: peer.id });
    if (this.#peers.size === 0) this.close();
  }

  /** The producer of another peer in this room. */
  producerOf(producerId: string, except: Peer): { owner: Peer; producer: types.Producer } | undefined {
    for (const owner of this.#peers.values()) {
      if (owner === except) continue;
      for (const producer of owner.producers) if (producer.id === producerId) return { owner, producer };
    }
    return undefined;
  }

  announceProducer(owner: Peer, producer: Parameters<typeof producerInfo>[0]): void {
    this.broadcast(owner, 'producerAdded', { peerId: owner.id, producer: producerInfo(producer) });
  }

  peer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /** Sends a notification to every peer but `from`. */
  broadcast<M extends NotificationMethod>(from: Peer, method: M, data: NotificationData<M>): void {
    for (const peer of this.#peers.values()) if (peer !== from) peer.notify(method, data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.router.close();
    this.emit('close');
  }
}

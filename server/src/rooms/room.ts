import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import type { Knock, NotificationData, NotificationMethod } from '@raum/protocol';
import { NotFoundError, RaumError } from '../common/errors';
import type { MediaService, Placement } from '../media/media.service';
import type { SfuConsumer, SfuProducer } from '../media/sfu-types';
import { mediasoupCall } from '../media/mediasoup-call';
import { GroupLedger, type Restart } from './group-ledger';
import { Lobby, type Waiting } from './lobby';
import { Peer, producerInfo, type Entered } from './peer';
import { RoomRouters, type ClusterMedia, type RoomPlacement } from './room-routers';
import { SentLayers } from './sent-layers';

type RoomEvents = {
  close: [];
  /** A worker of one of its routers died: the room needs a new router (see rehome). */
  'media-lost': [];
};

/**
 * A meeting: its mediasoup routers (one at first, more once its worker is
 * loaded, see RoomRouters) and the peers in it. The room tells its peers
 * about each other; it closes its routers (and itself) when the last peer
 * leaves, so an empty room holds nothing. If a worker of its routers dies,
 * the people stay and the room moves to a new router.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly #peers = new Map<string, Peer>();
  /** The meeting's MLS group, as its delivery service sees it. */
  readonly group = new GroupLedger();
  readonly #lobby: Lobby;
  #closed = false;
  /** Set once a host made a new link: only joins proving the new link's secret get in. */
  #linkProof: Buffer | undefined;
  /** A host locked the meeting: only hosts get in. */
  #locked = false;
  /** Once anyone's link asks for it (or the operator), browsers without end-to-end encryption stay out. */
  #requireE2ee: boolean;
  readonly #routers: RoomRouters;
  /** Where each peer's transports are, from its first transport on. */
  readonly #placements = new Map<Peer, Promise<RoomPlacement>>();
  /** Which layers of each camera anyone shows, and so which its sender encodes. */
  readonly sentLayers = new SentLayers();

  constructor(
    media: MediaService,
    home: Placement,
    private readonly maxPeers: number,
    requireE2ee: boolean,
    private readonly cluster?: ClusterMedia,
  ) {
    super();
    this.#requireE2ee = requireE2ee;
    this.#lobby = new Lobby(maxPeers);
    this.#routers = new RoomRouters(media, home, () => this.emit('media-lost'), cluster);
  }

  /** The router the room started on (and its first peers are on). */
  get home(): Placement {
    return this.#routers.home;
  }

  /** How many routers (on as many workers) the room spans. */
  get routerCount(): number {
    return this.#routers.count;
  }

  /**
   * Where `peer`'s transports go, decided at its first transport: the room's
   * router on the node its socket is on, or here (see RoomRouters).
   */
  placementOf(peer: Peer): Promise<RoomPlacement> {
    let placement = this.#placements.get(peer);
    if (!placement) {
      const edge = peer.edge;
      placement = edge !== undefined && this.cluster && edge !== this.cluster.nodeId ? this.#routers.placeOn(edge) : this.#routers.place();
      this.#placements.set(peer, placement);
    }
    return placement;
  }

  /** A paused consumer for `peer` of another's producer, on `peer`'s router (piped there if it is elsewhere). */
  async consume(peer: Peer, { owner, producer }: { owner: Peer; producer: SfuProducer }): Promise<SfuConsumer> {
    const owned = this.#placements.get(owner);
    // Its owner left meanwhile (and took the stream along).
    if (!owned) throw new NotFoundError('producer');
    const [to, from] = await Promise.all([this.placementOf(peer), owned]);
    const release = await this.#routers.reach(producer.id, from, to);
    try {
      const consumer = await peer.consume(to.router, producer);
      consumer.observer.once('close', release);
      return consumer;
    } catch (error) {
      release();
      throw error;
    }
  }

  get requireE2ee(): boolean {
    return this.#requireE2ee;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get locked(): boolean {
    return this.#locked;
  }

  get lobby(): boolean {
    return this.#lobby.on;
  }

  /** Who waits in the lobby, as hosts see them. */
  get knocks(): Knock[] {
    return this.#lobby.knocks;
  }

  /** Locks or unlocks the meeting; everyone is told which, and by whom. Whoever waits in the lobby is turned away. */
  lock(locked: boolean, by: Peer): void {
    this.#locked = locked;
    this.broadcast(undefined, 'meetingLocked', { locked, by: by.id });
    if (locked) for (const waiting of this.#lobby.drain()) this.turnAway(waiting, 'meeting-locked');
  }

  /** Switches the lobby on or off; everyone is told. Off lets in everyone waiting (those the room has no space for are told). */
  setLobby(on: boolean, by: Peer): void {
    const waited = this.#lobby.set(on);
    this.broadcast(undefined, 'lobbyChanged', { on, by: by.id });
    for (const waiting of waited) {
      try {
        this.letIn(waiting);
      } catch {
        this.turnAway(waiting, 'room-full');
      }
    }
  }

  /** A new link: joins must prove its secret from now on (people in the room stay). */
  renewLink(proof: string): void {
    this.#linkProof = Buffer.from(proof, 'base64url');
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  /**
   * A newcomer comes in, or (with the lobby on, and not a host) waits until
   * a host lets them in: then `entered` is undefined and nothing of the
   * room reaches them.
   */
  enter(peer: Peer, requireE2ee: boolean, linkProof: string | undefined): { entered?: Entered } {
    if (this.#linkProof && !sameProof(this.#linkProof, linkProof)) {
      throw new RaumError('link-withdrawn', 'a host made a new link for this meeting; ask for it');
    }
    if (!this.#lobby.on || peer.host) return { entered: this.admit(peer, requireE2ee) };
    this.mayEnter(peer, requireE2ee);
    if (!this.#lobby.add(peer, requireE2ee)) throw new RaumError('room-full', 'this meeting’s lobby is full; try again later');
    return {};
  }

  /** Someone waiting sent their sealed name: the hosts see the knock. */
  knock(peer: Peer, name: string): void {
    this.notifyHosts('knocked', this.#lobby.name(peer.id, name));
  }

  /** A host lets someone in from the lobby; `room-full` leaves them waiting. */
  admitKnock(knockId: string): void {
    this.letIn(this.#lobby.get(knockId));
  }

  /** A host turns someone in the lobby away. */
  denyKnock(knockId: string): void {
    const waiting = this.#lobby.take(knockId);
    if (!waiting) throw new NotFoundError('knock');
    this.turnAway(waiting, 'denied');
  }

  /** Someone left the lobby by themselves (closed the page, lost the connection). */
  withdraw(peer: Peer): void {
    if (this.#lobby.take(peer.id)) this.notifyHosts('knockEnded', { knockId: peer.id });
  }

  /** Adds a peer; returns who was there before it, and whether it starts the group or waits to be added. */
  private admit(peer: Peer, requireE2ee: boolean): Entered {
    this.mayEnter(peer, requireE2ee);
    if (this.#peers.size >= this.maxPeers) throw new RaumError('room-full', `this room is full (${this.maxPeers} people)`);
    this.#requireE2ee ||= requireE2ee;
    const others = [...this.#peers.values()].map((other) => other.info());
    this.broadcast(peer, 'peerJoined', { peer: peer.info() });
    this.#peers.set(peer.id, peer);
    return { others, group: this.group.admit(peer.id) };
  }

  /** Removes a peer, releasing all it holds, and closes the room if it was the last. */
  remove(peer: Peer): void {
    if (!this.#peers.delete(peer.id)) return;
    // Its consumers elsewhere close with its producers; peerLeft tells the others.
    peer.close();
    const placement = this.#placements.get(peer);
    this.#placements.delete(peer);
    void placement?.then(
      (placed) => this.#routers.leave(placed),
      () => undefined,
    );
    this.broadcast(peer, 'peerLeft', { peerId: peer.id });
    if (this.#peers.size === 0) return this.close();
    // Nobody holds the group any more: a waiting peer starts a new one and adds the others waiting.
    this.restartGroup(this.group.left(peer.id));
  }

  /** A KeyPackage goes to the group's members; when nobody holds the group, it restarts instead. */
  publishKeyPackage(peer: Peer, keyPackage: string): void {
    const route = this.group.keyPackage(peer.id, keyPackage);
    if ('creator' in route) this.restartGroup(route);
    else this.notifyPeers(route, 'keyPackage', { from: peer.id, keyPackage });
  }

  /** Someone in this room; `not-found` for anyone else (gone, or never here). */
  member(peerId: string): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new NotFoundError('participant');
    return peer;
  }

  get members(): IterableIterator<Peer> {
    return this.#peers.values();
  }

  /** Pausing stops the SFU forwarding the stream; the others are told to show it as off (or on again). */
  async setProducerPaused(owner: Peer, producerId: string, paused: boolean): Promise<void> {
    const producer = owner.producer(producerId);
    await mediasoupCall(() => (paused ? producer.pause() : producer.resume()));
    this.broadcast(owner, paused ? 'producerPaused' : 'producerResumed', { peerId: owner.id, producerId });
  }

  /** A host removed someone: they are told, and their session ends (the others see them leave). */
  expel(peer: Peer, by: Peer): void {
    peer.notify('removedByHost', { by: by.id });
    peer.dismiss();
  }

  /** A host ended the meeting: everyone else is told and dismissed; the room closes once the host leaves too. */
  end(by: Peer): void {
    for (const waiting of this.#lobby.drain()) this.turnAway(waiting, 'meeting-ended');
    for (const peer of [...this.#peers.values()]) {
      if (peer === by) continue;
      peer.notify('meetingEnded', { by: by.id });
      peer.dismiss();
    }
  }

  /** Sends a notification to the given peers of this room (those still here). */
  notifyPeers<M extends NotificationMethod>(peerIds: Iterable<string>, method: M, data: NotificationData<M>): void {
    for (const peerId of peerIds) this.#peers.get(peerId)?.notify(method, data);
  }

  /** The producer of another peer in this room. */
  producerOf(producerId: string, except: Peer): { owner: Peer; producer: SfuProducer } | undefined {
    for (const owner of this.#peers.values()) {
      if (owner === except) continue;
      for (const producer of owner.producers) if (producer.id === producerId) return { owner, producer };
    }
    return undefined;
  }

  /** Tells everyone else of a new producer (sent in `layers` simulcast layers), and gives each who receives a consumer of it. */
  announceProducer(owner: Peer, producer: Parameters<typeof producerInfo>[0], layers: number): void {
    this.sentLayers.addSender(producer, layers, (spatialLayer) => owner.notify('sendLayers', { producerId: producer.id, spatialLayer }));
    this.broadcast(owner, 'producerAdded', { peerId: owner.id, producer: producerInfo(producer) });
    for (const peer of this.#peers.values()) if (peer !== owner && peer.receiving) void this.push(peer, { owner, producer });
  }

  /** `peer`'s receive transport exists: a consumer of everything the others send. */
  consumeAll(peer: Peer): void {
    for (const owner of this.#peers.values()) {
      if (owner !== peer) for (const producer of owner.producers) void this.push(peer, { owner, producer });
    }
  }

  /**
   * Creates a paused consumer for `peer` and hands it over (`newConsumer`),
   * which spares the client a request per stream. One that cannot be made
   * is not sent: the stream or a peer went away meanwhile, it is received
   * already (a producer announced while the transport was being made), the
   * peer is at its limit, or its browser cannot decode it.
   */
  private async push(peer: Peer, found: { owner: Peer; producer: SfuProducer }): Promise<void> {
    try {
      const consumer = await this.consume(peer, found);
      this.sentLayers.addViewer(consumer, found.producer.id);
      peer.notify('newConsumer', {
        consumerId: consumer.id,
        producerId: found.producer.id,
        peerId: found.owner.id,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        producerPaused: consumer.producerPaused,
      });
    } catch {
      // See above: nobody is owed this stream any more, or it cannot be had; a lost worker resets the room anyway.
    }
  }

  peer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /** Sends a notification to every peer but `from`. */
  broadcast<M extends NotificationMethod>(from: Peer | undefined, method: M, data: NotificationData<M>): void {
    for (const peer of this.#peers.values()) if (peer !== from) peer.notify(method, data);
  }

  /**
   * Continues on a new router after the old one's worker died. Everything
   * the SFU held went with it; the peers are told to send and receive anew
   * (their keys and the people in the room stay the same).
   */
  rehome(home: Placement): void {
    if (this.#closed) {
      home.router.close();
      return;
    }
    this.#placements.clear();
    this.#routers.restart(home);
    this.broadcast(undefined, 'mediaReset', {});
  }

  /** Tells a new group's creator to start it, with the KeyPackages it should add. */
  private restartGroup(restart: Restart | undefined): void {
    const creator = restart && this.#peers.get(restart.creator);
    if (!creator) return;
    creator.notify('createGroup', {});
    for (const [from, keyPackage] of restart.keyPackages) creator.notify('keyPackage', { from, keyPackage });
  }

  /**
   * Another node is this meeting's home now (it took this one for dead): everyone here, the lobby included, is sent
   * there (they join again by themselves), and the room closes.
   */
  moveAway(): void {
    for (const waiting of this.#lobby.drain()) waiting.peer.dismiss('moved');
    for (const peer of [...this.#peers.values()]) peer.dismiss('moved');
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A lobby without anyone in the meeting lets nobody in: a host would have to come back first.
    for (const waiting of this.#lobby.drain()) this.turnAway(waiting, 'meeting-ended');
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#placements.clear();
    this.#routers.close();
    this.emit('close');
  }

  /** Throws why `peer` may not come in now, if it may not. */
  private mayEnter(peer: Peer, requireE2ee: boolean): void {
    if (this.#closed) throw new RaumError('internal', 'the room closed while joining; join again');
    if (this.#locked && !peer.host) throw new RaumError('meeting-locked', 'a host locked this meeting; nobody new gets in');
    if (!peer.e2ee && (this.#requireE2ee || requireE2ee)) {
      throw new RaumError('e2ee-required', 'this meeting admits only browsers that encrypt end to end');
    }
  }

  /** From the lobby into the room: they are told, the hosts see the knock go. */
  private letIn(waiting: Waiting): void {
    const entered = this.admit(waiting.peer, waiting.requireE2ee);
    this.#lobby.take(waiting.peer.id);
    this.notifyHosts('knockEnded', { knockId: waiting.peer.id });
    waiting.peer.admitted(entered);
  }

  private turnAway(waiting: Waiting, reason: NotificationData<'knockRefused'>['reason']): void {
    this.notifyHosts('knockEnded', { knockId: waiting.peer.id });
    waiting.peer.notify('knockRefused', { reason });
    waiting.peer.dismiss();
  }

  private notifyHosts<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    for (const peer of this.#peers.values()) if (peer.host) peer.notify(method, data);
  }
}

/** Whether a join's proof is the new link's; compared in constant time. */
function sameProof(expected: Buffer, presented: string | undefined): boolean {
  const proof = Buffer.from(presented ?? '', 'base64url');
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}

import type { NodePipes } from '../cluster/node-pipes';
import type { RemoteMedia, RemoteRouter } from '../cluster/remote-media';
import type { MediaService, Placement } from '../media/media.service';

/** A producer piped to another router of the room: what closes the pipe, and how many consumers there use it. */
interface Pipe {
  readonly close: Promise<() => void>;
  consumers: number;
}

/** Cluster mode: this node, and how a room reaches routers on other nodes. */
export interface ClusterMedia {
  readonly nodeId: string;
  readonly pipes: NodePipes;
  readonly remote: RemoteMedia;
}

/** The room's router on another node, for the participants whose sockets are there. */
export interface NodePlacement {
  readonly router: RemoteRouter;
  readonly webRtcServer: undefined;
  readonly node: string;
}

/** Where a peer's transports are: a router of this node (on one of its workers), or of another node. */
export type RoomPlacement = Placement | NodePlacement;

const onNode = (placement: RoomPlacement): placement is NodePlacement => 'node' in placement;

/**
 * A meeting's routers: its home router, one on each other worker the room
 * spreads to once its home worker is loaded past the limit, and (in a
 * cluster) one on each other node its participants' sockets landed on. A
 * producer reaches another router through a pipe (mediasoup's pipeToRouter
 * over loopback, or NodePipes over SRTP between nodes), made when a
 * consumer there first asks for it; the pipe closes with its last consumer
 * there, and a router nobody is placed on closes. If any of its workers
 * here dies, `lost` is called once: the room moves whole.
 */
export class RoomRouters {
  #home: Placement;
  /** Routers on other workers, by worker, with the peers placed on each. */
  readonly #others = new Map<number, { readonly placement: Promise<Placement>; peers: number }>();
  /** Routers on other nodes, by node, with the peers placed on each. */
  readonly #nodes = new Map<string, { readonly placement: Promise<NodePlacement>; peers: number }>();
  readonly #pipes = new Map<string, Pipe>();
  #closed = false;
  /** Counts restarts: a router still being made for an earlier generation is closed on arrival. */
  #generation = 0;

  constructor(
    private readonly media: MediaService,
    home: Placement,
    private readonly lost: () => void,
    private readonly cluster?: ClusterMedia,
  ) {
    this.#home = this.watch(home);
  }

  get home(): Placement {
    return this.#home;
  }

  /** How many routers the room has now (its home included). */
  get count(): number {
    return 1 + this.#others.size + this.#nodes.size;
  }

  /**
   * Where a newcomer's transports go: the home router while its worker is
   * below the load limit, else the room's router on the least loaded worker.
   * Each placement is given back with leave().
   */
  async place(): Promise<Placement> {
    const worker = this.media.overloaded(this.#home) ? this.media.leastLoaded() : undefined;
    if (worker === undefined || worker === this.#home.worker) return this.#home;
    const generation = this.#generation;
    // If that worker dies meanwhile: home it is (and if home's worker died too, the room is moving anyway).
    return this.occupy(
      this.#others,
      worker,
      () => this.media.createRouter(worker).then((placement) => this.adopt(placement, generation)),
      () => this.#home,
    );
  }

  /**
   * Where a participant whose socket is on `node` sends and receives: the
   * room's router there, made on first need. If that node cannot make one,
   * here (their media then crosses to this node, as without a cluster).
   */
  placeOn(node: string): Promise<RoomPlacement> {
    const generation = this.#generation;
    return this.occupy(
      this.#nodes,
      node,
      async () => {
        const router = await this.cluster!.remote.router(node, {
          // Its people went with it; the room goes on without them.
          gone: () => this.#nodes.delete(node),
          // Its worker died there: as for a worker here, everyone sends and receives anew.
          lost: () => this.lose(),
        });
        if (this.#closed || generation !== this.#generation) router.close();
        return { router, webRtcServer: undefined, node };
      },
      () => this.place(),
    );
  }

  /** The router under `key`, made on first need, with one more peer placed on it; `fallback` if it cannot be had. */
  private async occupy<K, P extends RoomPlacement, F extends RoomPlacement>(
    routers: Map<K, { readonly placement: Promise<P>; peers: number }>,
    key: K,
    make: () => Promise<P>,
    fallback: () => F | Promise<F>,
  ): Promise<P | F> {
    let other = routers.get(key);
    if (!other) {
      const made = { placement: make(), peers: 0 };
      made.placement.catch(() => routers.get(key) === made && routers.delete(key));
      routers.set(key, made);
      other = made;
    }
    other.peers++;
    try {
      return await other.placement;
    } catch {
      other.peers--;
      return fallback();
    }
  }

  /** Someone placed here left: a router other than home closes with its last peer. */
  leave(placement: RoomPlacement): void {
    if (onNode(placement)) {
      const other = this.#nodes.get(placement.node);
      if (!other || --other.peers > 0) return;
      this.#nodes.delete(placement.node);
      placement.router.close();
      return;
    }
    const other = this.#others.get(placement.worker);
    if (!other || --other.peers > 0) return;
    this.#others.delete(placement.worker);
    placement.router.close();
  }

  /**
   * Makes a producer on `from` consumable on `to` (the same id there), piping
   * it on first need; returns what to call when that consumer closes.
   */
  async reach(producerId: string, from: RoomPlacement, to: RoomPlacement): Promise<() => void> {
    if (from.router === to.router) return () => undefined;
    const key = `${producerId} ${to.router.id}`;
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      const made: Pipe = { close: this.pipe(producerId, from, to), consumers: 0 };
      this.#pipes.set(key, made);
      made.close.catch(() => this.#pipes.get(key) === made && this.#pipes.delete(key));
      pipe = made;
    }
    pipe.consumers++;
    const used = pipe;
    try {
      await used.close;
    } catch (error) {
      used.consumers--;
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--used.consumers > 0) return;
      if (this.#pipes.get(key) === used) this.#pipes.delete(key);
      void used.close.then((close) => close());
    };
  }

  /** A pipe from one router to another: between workers here (loopback), or to, from or between other nodes (SRTP). */
  private async pipe(producerId: string, from: RoomPlacement, to: RoomPlacement): Promise<() => void> {
    if (!onNode(from) && !onNode(to)) {
      const { pipeProducer } = await from.router.pipeToRouter({ producerId, router: to.router, enableSctp: false });
      return () => pipeProducer!.close();
    }
    // A router of another node takes part: only in a cluster.
    const { nodeId, pipes } = this.cluster!;
    const target = { node: onNode(to) ? to.node : nodeId, routerId: to.router.id };
    return onNode(from) ? from.router.pipeTo(producerId, target) : pipes.pipe(producerId, from.router, target);
  }

  /** After a worker died: everything here closes, and the room goes on from `home`. */
  restart(home: Placement): void {
    this.closeAll();
    this.#closed = false;
    this.#generation++;
    this.#home = this.watch(home);
  }

  close(): void {
    this.closeAll();
  }

  private closeAll(): void {
    this.#closed = true;
    for (const { placement } of this.#others.values())
      void placement.then(
        ({ router }) => router.close(),
        () => undefined,
      );
    this.#others.clear();
    for (const { placement } of this.#nodes.values())
      void placement.then(
        ({ router }) => router.close(),
        () => undefined,
      );
    this.#nodes.clear();
    this.#pipes.clear();
    this.#home.router.close();
  }

  /** A router on another worker was made: if the room closed or moved meanwhile, it goes at once. */
  private adopt(placement: Placement, generation: number): Placement {
    if (this.#closed || generation !== this.#generation) placement.router.close();
    return this.watch(placement);
  }

  private watch(placement: Placement): Placement {
    // Other nodes may pipe their participants' streams into it.
    this.cluster?.pipes.expose(placement.router);
    placement.router.once('workerclose', () => this.lose());
    return placement;
  }

  /** A worker of one of its routers died (here or on another node): the room moves whole. */
  private lose(): void {
    if (this.#closed) return;
    // Once per death, however many of the room's routers were on that worker; restart() opens it again.
    this.#closed = true;
    this.lost();
  }
}

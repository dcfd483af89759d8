import type { types } from 'mediasoup';
import type { MediaService, Placement } from '../media/media.service';

/** A producer piped to another router of the room, and how many consumers there use it. */
interface Pipe {
  readonly producer: Promise<types.Producer>;
  consumers: number;
}

/**
 * A meeting's routers: its home router, and one on each other worker the
 * room spreads to once its home worker is loaded past the limit. A producer
 * reaches another router through a pipe (mediasoup's pipeToRouter, over
 * loopback), made when a consumer there first asks for it; the pipe closes
 * with its last consumer there, and a router nobody is placed on closes.
 * If any of its workers dies, `lost` is called once: the room moves whole.
 */
export class RoomRouters {
  #home: Placement;
  /** Routers on other workers, by worker, with the peers placed on each. */
  readonly #others = new Map<number, { readonly placement: Promise<Placement>; peers: number }>();
  readonly #pipes = new Map<string, Pipe>();
  #closed = false;
  /** Counts restarts: a router still being made for an earlier generation is closed on arrival. */
  #generation = 0;

  constructor(
    private readonly media: MediaService,
    home: Placement,
    private readonly lost: () => void,
  ) {
    this.#home = this.watch(home);
  }

  get home(): Placement {
    return this.#home;
  }

  /** How many routers the room has now (its home included). */
  get count(): number {
    return 1 + this.#others.size;
  }

  /**
   * Where a newcomer's transports go: the home router while its worker is
   * below the load limit, else the room's router on the least loaded worker.
   * Each placement is given back with leave().
   */
  async place(): Promise<Placement> {
    const worker = this.media.overloaded(this.#home) ? this.media.leastLoaded() : undefined;
    if (worker === undefined || worker === this.#home.worker) return this.#home;
    let other = this.#others.get(worker);
    if (!other) {
      const generation = this.#generation;
      const made = { placement: this.media.createRouter(worker).then((placement) => this.adopt(placement, generation)), peers: 0 };
      made.placement.catch(() => this.#others.get(worker) === made && this.#others.delete(worker));
      this.#others.set(worker, made);
      other = made;
    }
    other.peers++;
    try {
      return await other.placement;
    } catch {
      // That worker died meanwhile: home it is (and if home's worker died too, the room is moving anyway).
      other.peers--;
      return this.#home;
    }
  }

  /** Someone placed here left: a router other than home closes with its last peer. */
  leave(placement: Placement): void {
    const other = this.#others.get(placement.worker);
    if (!other || --other.peers > 0) return;
    this.#others.delete(placement.worker);
    placement.router.close();
  }

  /**
   * Makes a producer on `from` consumable on `to` (the same id there), piping
   * it on first need; returns what to call when that consumer closes.
   */
  async reach(producerId: string, from: Placement, to: Placement): Promise<() => void> {
    if (from.router === to.router) return () => undefined;
    const key = `${producerId} ${to.router.id}`;
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      const made: Pipe = {
        producer: from.router.pipeToRouter({ producerId, router: to.router, enableSctp: false }).then(({ pipeProducer }) => pipeProducer!),
        consumers: 0,
      };
      this.#pipes.set(key, made);
      made.producer.then(
        (producer) => producer.observer.once('close', () => this.#pipes.get(key) === made && this.#pipes.delete(key)),
        () => this.#pipes.get(key) === made && this.#pipes.delete(key),
      );
      pipe = made;
    }
    pipe.consumers++;
    const used = pipe;
    try {
      await used.producer;
    } catch (error) {
      used.consumers--;
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--used.consumers === 0) void used.producer.then((producer) => producer.close());
    };
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
    this.#pipes.clear();
    this.#home.router.close();
  }

  /** A router on another worker was made: if the room closed or moved meanwhile, it goes at once. */
  private adopt(placement: Placement, generation: number): Placement {
    if (this.#closed || generation !== this.#generation) placement.router.close();
    return this.watch(placement);
  }

  private watch(placement: Placement): Placement {
    placement.router.once('workerclose', () => {
      if (this.#closed) return;
      // Once per death, however many of the room's routers were on that worker; restart() opens it again.
      this.#closed = true;
      this.lost();
    });
    return placement;
  }
}

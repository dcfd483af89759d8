import type { Ending } from '../media/sfu-types';

/**
 * How long a camera keeps a layer nobody shows any more: a tile that shrinks
 * and grows back (the grid re-laid for a newcomer, a window resized, a tile
 * scrolled past) finds it still there, and the sender's encoder is not
 * restarted for every such blip.
 */
export const LOWER_AFTER_MS = 3000;

/**
 * The layer a camera always keeps, shown or not: the middle one (640×360).
 * A tile moved to the stage (a new speaker) then shows it at once while the
 * top layer starts, where the smallest would be a blur.
 */
const KEPT_LAYER = 1;

/** What one viewer asks of a camera: nothing while its tile is hidden, else up to its layer. */
interface Viewer {
  readonly sender: Sender;
  shown: boolean;
  layer: number;
}

interface Sender {
  /** Its largest layer. */
  readonly top: number;
  /** The highest layer it was last told to encode. */
  told: number;
  readonly tell: (spatialLayer: number) => void;
  readonly viewers: Set<Viewer>;
  lowering?: ReturnType<typeof setTimeout>;
  closed?: boolean;
}

/**
 * Which simulcast layers each camera is encoded in: up to the largest any
 * viewer shows it in, and never fewer than the two smaller ones (KEPT_LAYER).
 * Nobody's CPU and uplink go on pixels nobody sees: neither a laptop's grid
 * of two or three nor a phone's filmstrip ever shows the 1280×720 layer, and
 * that layer alone costs a sender nearly three times what the two others do.
 *
 * A camera starts in all its layers, and keeps them while nobody else is
 * there to see it, so that whoever comes first gets the layer their tile
 * needs at once. A larger layer is asked for as soon as a viewer shows it;
 * one is given up LOWER_AFTER_MS after the last viewer stopped showing it.
 * The SFU moves a viewer up to a layer only once it has run for 2 s, so a
 * layer given up and asked for again reaches a viewer 2–3 s later: the
 * viewer sees the smaller one meanwhile. A viewer's consumer is never on a
 * layer above the one it asked for, so a layer given up is one no consumer
 * receives: nobody's picture stops.
 */
export class SentLayers {
  /** By producer id. */
  readonly #senders = new Map<string, Sender>();
  /** By consumer id. */
  readonly #viewers = new Map<string, Viewer>();

  constructor(private readonly lowerAfterMs = LOWER_AFTER_MS) {}

  /** A producer sent in `layers` simulcast layers; `tell` reaches its sender. One layer has nothing to choose. */
  addSender(producer: { readonly id: string } & Ending, layers: number, tell: (spatialLayer: number) => void): void {
    if (layers < 2) return;
    const sender: Sender = { top: layers - 1, told: layers - 1, tell, viewers: new Set() };
    this.#senders.set(producer.id, sender);
    producer.observer.once('close', () => {
      sender.closed = true;
      clearTimeout(sender.lowering);
      this.#senders.delete(producer.id);
    });
  }

  /**
   * A viewer's consumer of a producer: paused (it is made so), and wanting
   * the top layer until its viewer says otherwise (as the SFU assumes too).
   */
  addViewer(consumer: { readonly id: string } & Ending, producerId: string): void {
    const sender = this.#senders.get(producerId);
    if (!sender) return;
    const viewer: Viewer = { sender, shown: false, layer: sender.top };
    sender.viewers.add(viewer);
    this.#viewers.set(consumer.id, viewer);
    consumer.observer.once('close', () => {
      this.#viewers.delete(consumer.id);
      sender.viewers.delete(viewer);
      this.update(sender);
    });
  }

  /** The viewer shows the stream (resumed it) or hides it (paused it). */
  show(consumerId: string, shown: boolean): void {
    const viewer = this.#viewers.get(consumerId);
    if (!viewer) return;
    viewer.shown = shown;
    this.update(viewer.sender);
  }

  /** The layer the viewer's tile needs. */
  prefer(consumerId: string, spatialLayer: number): void {
    const viewer = this.#viewers.get(consumerId);
    if (!viewer) return;
    viewer.layer = Math.min(spatialLayer, viewer.sender.top);
    this.update(viewer.sender);
  }

  /** The highest layer a producer's sender is asked to encode now. */
  told(producerId: string): number | undefined {
    return this.#senders.get(producerId)?.told;
  }

  private update(sender: Sender): void {
    if (sender.closed) return;
    const layer = wanted(sender);
    if (layer < sender.told) {
      sender.lowering ??= setTimeout(() => {
        sender.lowering = undefined;
        const now = wanted(sender);
        if (!sender.closed && now < sender.told) tell(sender, now);
      }, this.lowerAfterMs);
      return;
    }
    clearTimeout(sender.lowering);
    sender.lowering = undefined;
    if (layer > sender.told) tell(sender, layer);
  }
}

/** The largest layer any viewer shows, the kept one at least; all while there is nobody to show it. */
function wanted(sender: Sender): number {
  if (sender.viewers.size === 0) return sender.top;
  let layer = Math.min(KEPT_LAYER, sender.top);
  for (const viewer of sender.viewers) if (viewer.shown) layer = Math.max(layer, viewer.layer);
  return layer;
}

function tell(sender: Sender, spatialLayer: number): void {
  sender.told = spatialLayer;
  sender.tell(spatialLayer);
}

import type { types } from 'mediasoup-client';
import type { PeerInfo, ProducerInfo } from '@raum/protocol';
import type { Participant, RemoteMedia } from './call-types';

interface RemoteProducer {
  readonly info: ProducerInfo;
  paused: boolean;
  consumer?: types.Consumer;
}

interface RemotePeer {
  readonly peerId: string;
  /** Their name, once it arrived end-to-end encrypted from them. */
  displayName: string | undefined;
  readonly producers: Map<string, RemoteProducer>;
}

/**
 * The other people in a call as this side knows them: their streams (what
 * the server announced), whether each is paused, and the consumer receiving
 * it once there is one. Each change answers whether anything visible changed.
 */
export class RemotePeers {
  readonly #peers = new Map<string, RemotePeer>();

  get participants(): Participant[] {
    return [...this.#peers.values()].map(toParticipant);
  }

  add(info: PeerInfo): void {
    const producers = new Map(info.producers.map((producer) => [producer.producerId, { info: producer, paused: producer.paused }]));
    this.#peers.set(info.peerId, { peerId: info.peerId, displayName: undefined, producers });
  }

  /** The name someone gave, signed by them in the MLS group; false for someone unknown or no change. */
  setName(peerId: string, name: string): boolean {
    const peer = this.#peers.get(peerId);
    if (!peer || peer.displayName === (name || undefined)) return false;
    peer.displayName = name || undefined;
    return true;
  }

  /** Someone left: their streams stop here too. */
  remove(peerId: string): boolean {
    const peer = this.#peers.get(peerId);
    for (const producer of peer?.producers.values() ?? []) producer.consumer?.close();
    return this.#peers.delete(peerId);
  }

  producer(peerId: string, producerId: string): RemoteProducer | undefined {
    return this.#peers.get(peerId)?.producers.get(producerId);
  }

  /** A new stream of someone known; false for someone unknown. */
  addProducer(peerId: string, info: ProducerInfo): boolean {
    const peer = this.#peers.get(peerId);
    peer?.producers.set(info.producerId, { info, paused: info.paused });
    return peer !== undefined;
  }

  removeProducer(peerId: string, producerId: string): boolean {
    const peer = this.#peers.get(peerId);
    peer?.producers.get(producerId)?.consumer?.close();
    return peer?.producers.delete(producerId) ?? false;
  }

  setPaused(peerId: string, producerId: string, paused: boolean): boolean {
    const producer = this.producer(peerId, producerId);
    if (producer) producer.paused = paused;
    return producer !== undefined;
  }

  /** Every stream is gone (the SFU lost them); the people stay, and their streams will be announced again. */
  forgetStreams(): void {
    for (const peer of this.#peers.values()) peer.producers.clear();
  }

  clear(): void {
    this.#peers.clear();
  }
}

function toParticipant(peer: RemotePeer): Participant {
  let camera: RemoteMedia | undefined;
  let microphone: RemoteMedia | undefined;
  for (const producer of peer.producers.values()) {
    if (!producer.consumer) continue;
    const media = { producerId: producer.info.producerId, track: producer.consumer.track, paused: producer.paused };
    if (producer.info.source === 'camera') camera = media;
    else microphone = media;
  }
  return { peerId: peer.peerId, displayName: peer.displayName, camera, microphone };
}

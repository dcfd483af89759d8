import type { types } from 'mediasoup-client';
import type { PeerInfo, ProducerInfo } from '@raum/protocol';
import type { Profile } from '../e2ee/group-content';
import type { Participant, Reception, RemoteMedia } from './call-types';

export interface RemoteProducer {
  readonly info: ProducerInfo;
  paused: boolean;
  consumer?: types.Consumer;
  /** What the SFU was last told for this consumer. */
  applied?: Reception;
  /** Reception changes go to the SFU one after another. */
  applying?: Promise<void>;
}

interface RemotePeer {
  readonly peerId: string;
  /** "Guest N" for someone without a name: N counts the people in the order this side met them. */
  readonly number: number;
  /** Joined with the host link (as the server checked), or made a co-host. */
  host: boolean;
  /** Their name and hand, once they arrived end-to-end encrypted from them. */
  profile: Profile;
  readonly producers: Map<string, RemoteProducer>;
  /** How this side shows each of their sources; undefined: shown in full. */
  readonly shown: Map<ProducerInfo['source'], Reception>;
}

/**
 * The other people in a call as this side knows them: their streams (what
 * the server announced), whether each is paused, and the consumer receiving
 * it once there is one. Each change answers whether anything visible changed.
 */
export class RemotePeers {
  readonly #peers = new Map<string, RemotePeer>();
  #met = 0;

  get participants(): Participant[] {
    return [...this.#peers.values()].map(toParticipant);
  }

  add(info: PeerInfo): void {
    const producers = new Map(info.producers.map((producer) => [producer.producerId, { info: producer, paused: producer.paused }]));
    this.#peers.set(info.peerId, {
      peerId: info.peerId,
      number: ++this.#met,
      host: info.host,
      profile: { name: '', hand: false },
      producers,
      shown: new Map(),
    });
  }

  /** The name and hand someone gave, signed by them in the MLS group; false for someone unknown or no change. */
  setProfile(peerId: string, profile: Profile): boolean {
    const peer = this.#peers.get(peerId);
    if (!peer || (peer.profile.name === profile.name && peer.profile.hand === profile.hand)) return false;
    peer.profile = profile;
    return true;
  }

  /** Someone was made a co-host; false for someone unknown or a host already. */
  setHost(peerId: string): boolean {
    const peer = this.#peers.get(peerId);
    if (!peer || peer.host) return false;
    peer.host = true;
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

  /** How this side shows a stream; true if that changed, and the SFU must be told. */
  setShown(peerId: string, source: ProducerInfo['source'], reception: Reception): boolean {
    const shown = this.#peers.get(peerId)?.shown;
    const before = shown?.get(source);
    if (!shown || (before?.visible === reception.visible && before.layer === reception.layer)) return false;
    shown.set(source, reception);
    return true;
  }

  shownAs(peerId: string, producer: RemoteProducer): Reception | undefined {
    return this.#peers.get(peerId)?.shown.get(producer.info.source);
  }

  /** The received stream of one of someone's sources. */
  ofSource(peerId: string, source: ProducerInfo['source']): RemoteProducer | undefined {
    return [...(this.#peers.get(peerId)?.producers.values() ?? [])].find((producer) => producer.info.source === source);
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
  const media: Partial<Record<ProducerInfo['source'], RemoteMedia>> = {};
  for (const producer of peer.producers.values()) {
    if (!producer.consumer) continue;
    const { consumer } = producer;
    media[producer.info.source] = {
      producerId: producer.info.producerId,
      track: consumer.track,
      paused: producer.paused,
      stats: () => consumer.getStats(),
    };
  }
  return {
    peerId: peer.peerId,
    displayName: peer.profile.name || undefined,
    number: peer.number,
    host: peer.host,
    hand: peer.profile.hand,
    camera: media.camera,
    microphone: media.microphone,
    screen: media.screen,
    screenAudio: media['screen-audio'],
  };
}

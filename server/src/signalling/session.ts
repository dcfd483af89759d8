import { errors, ortc, type types } from 'mediasoup';
import {
  PROTOCOL_VERSION,
  type DecodedRequest,
  type RequestData,
  type RequestMethod,
  type RequestResult,
} from '@raum/protocol';
import { InvalidStateError, RaumError } from '../common/errors';
import type { MediaService } from '../media/media.service';
import type { Notify, Peer } from '../rooms/peer';
import type { Room } from '../rooms/room';
import type { RoomsService } from '../rooms/rooms.service';
import type { TurnService } from '../turn/turn.service';

type Handlers = { [M in RequestMethod]: (data: RequestData<M>) => Promise<RequestResult<M>> };

/**
 * One participant's signalling state, from socket open to close: which room
 * it is in and what it may do next. Requests are handled one at a time, in
 * order, so a request never sees another half done.
 */
export class Session {
  #membership: { room: Room; peer: Peer } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #ended = false;

  constructor(
    private readonly rooms: RoomsService,
    private readonly media: MediaService,
    private readonly notify: Notify,
    private readonly requireE2ee: boolean,
    private readonly turn: TurnService,
  ) {}

  /** Runs a valid request after the ones before it; rejects with a RaumError or a bug. */
  handle(request: DecodedRequest): Promise<unknown> {
    const run = () => (this.handlers[request.method] as (data: unknown) => Promise<unknown>)(request.data);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** The socket is gone: leave the room, releasing everything. */
  end(): void {
    this.#ended = true;
    this.leave();
  }

  private leave(): void {
    const membership = this.#membership;
    this.#membership = undefined;
    membership?.room.remove(membership.peer);
  }

  private joined(): { room: Room; peer: Peer } {
    if (!this.#membership) throw new InvalidStateError('join a room first');
    return this.#membership;
  }

  /** Pausing stops the SFU forwarding the stream; the others are told to show it as off. */
  private async setProducerPaused(producerId: string, paused: boolean): Promise<Record<string, never>> {
    const { room, peer } = this.joined();
    const producer = peer.producer(producerId);
    await mediasoupCall(() => (paused ? producer.pause() : producer.resume()));
    room.broadcast(peer, paused ? 'producerPaused' : 'producerResumed', { peerId: peer.id, producerId });
    return {};
  }

  private readonly handlers: Handlers = {
    capabilities: async () => ({
      protocolVersion: PROTOCOL_VERSION,
      routerRtpCapabilities: this.media.routerRtpCapabilities,
      requireE2ee: this.requireE2ee,
    }),

    join: async ({ roomId, displayName, rtpCapabilities, e2ee, requireE2ee }) => {
      if (this.#membership) throw new InvalidStateError('already in a room; leave first');
      const capabilities = structuredClone(rtpCapabilities) as types.RtpCapabilities;
      try {
        ortc.validateAndNormalizeRtpCapabilities(capabilities);
      } catch (error) {
        throw new RaumError('bad-request', `join: rtpCapabilities: ${(error as Error).message}`);
      }
      const { room, peer, others } = await this.rooms.join(
        roomId,
        { displayName: displayName || undefined, e2ee, requireE2ee },
        capabilities,
        this.notify,
      );
      if (this.#ended) {
        room.remove(peer);
        throw new InvalidStateError('the connection closed while joining');
      }
      this.#membership = { room, peer };
      return { peerId: peer.id, peers: others, iceServers: this.turn.iceServers(), iceTransportPolicy: this.turn.iceTransportPolicy };
    },

    createTransport: async ({ direction }) => {
      const { room, peer } = this.joined();
      const transport = await peer.createTransport(direction, room.router, room.webRtcServer);
      return {
        transportId: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates,
        dtlsParameters: transport.dtlsParameters,
      };
    },

    connectTransport: async ({ transportId, dtlsParameters }) => {
      const transport = this.joined().peer.transport(transportId);
      await mediasoupCall(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
      return {};
    },

    produce: async ({ transportId, kind, source, rtpParameters, paused }) => {
      const { room, peer } = this.joined();
      const producer = await mediasoupCall(() =>
        peer.produce(transportId, kind, source, rtpParameters as types.RtpParameters, paused ?? false),
      );
      room.announceProducer(peer, producer);
      return { producerId: producer.id };
    },

    pauseProducer: ({ producerId }) => this.setProducerPaused(producerId, true),

    resumeProducer: ({ producerId }) => this.setProducerPaused(producerId, false),

    closeProducer: async ({ producerId }) => {
      const { room, peer } = this.joined();
      peer.producer(producerId).close();
      room.broadcast(peer, 'producerClosed', { peerId: peer.id, producerId });
      return {};
    },

    consume: async ({ producerId }) => {
      const { room, peer } = this.joined();
      const found = room.producerOf(producerId, peer);
      if (!found) throw new RaumError('not-found', 'that producer is not in this room');
      const consumer = await mediasoupCall(() => peer.consume(room.router, found.producer));
      return {
        consumerId: consumer.id,
        producerId,
        peerId: found.owner.id,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        producerPaused: consumer.producerPaused,
      };
    },

    resumeConsumer: async ({ consumerId }) => {
      const consumer = this.joined().peer.consumer(consumerId);
      await mediasoupCall(() => consumer.resume());
      return {};
    },

    pauseConsumer: async ({ consumerId }) => {
      const consumer = this.joined().peer.consumer(consumerId);
      await mediasoupCall(() => consumer.pause());
      return {};
    },

    leave: async () => {
      this.joined();
      this.leave();
      return {};
    },

    sendKeyMessage: async ({ to, payload }) => {
      const { room, peer } = this.joined();
      if (to === undefined) {
        room.broadcast(peer, 'keyMessage', { from: peer.id, payload });
        return {};
      }
      const recipient = room.peer(to);
      if (!recipient || recipient === peer) throw new RaumError('not-found', 'that person is not in this room');
      recipient.notify('keyMessage', { from: peer.id, payload });
      return {};
    },

    sendChat: async ({ payload }) => {
      const { room, peer } = this.joined();
      room.broadcast(peer, 'chatMessage', { from: peer.id, payload });
      return {};
    },
  };
}

/**
 * Runs a mediasoup call driven by what the client sent: mediasoup rejects bad
 * parameters with a TypeError and calls in the wrong state (connecting twice,
 * resuming a closed consumer) with an Error. Both are the client's doing, so
 * both become typed errors for it instead of server faults.
 */
async function mediasoupCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RaumError) throw error;
    if (error instanceof TypeError) throw new RaumError('bad-request', error.message);
    if (error instanceof errors.UnsupportedError) throw new RaumError('unsupported', error.message);
    if (error instanceof Error) throw new InvalidStateError(error.message.replace(/\s*\[method:[^\]]*\]$/, ''));
    throw error;
  }
}

import type { types } from 'mediasoup';
import { mediasoupCall } from '../media/mediasoup-call';
import type { Handlers, Membership } from './session';

type MediaMethod =
  | 'createTransport'
  | 'connectTransport'
  | 'restartIce'
  | 'produce'
  | 'pauseProducer'
  | 'resumeProducer'
  | 'closeProducer'
  | 'resumeConsumer'
  | 'pauseConsumer'
  | 'setPreferredLayers';

/** A participant's requests to the SFU: its transports, what it sends and what it receives. */
export function mediaRequests(joinedRoom: () => Membership): Pick<Handlers, MediaMethod> {
  return {
    createTransport: async ({ direction }) => {
      const { room, peer } = joinedRoom();
      const transport = await mediasoupCall(async () => {
        const { router, webRtcServer } = await room.placementOf(peer);
        return peer.createTransport(direction, router, webRtcServer);
      });
      // The streams follow this answer (each needs a worker round trip); a producer added meanwhile is pushed by itself.
      if (direction === 'recv') room.consumeAll(peer);
      return {
        transportId: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates,
        dtlsParameters: transport.dtlsParameters,
      };
    },

    connectTransport: async ({ transportId, dtlsParameters }) => {
      await mediasoupCall(() => joinedRoom().peer.connect(transportId, dtlsParameters as types.DtlsParameters));
      return {};
    },

    restartIce: async ({ transportId }) => {
      const iceParameters = await mediasoupCall(() => joinedRoom().peer.restartIce(transportId));
      return { iceParameters };
    },

    produce: async ({ transportId, kind, source, rtpParameters, paused }) => {
      const { room, peer } = joinedRoom();
      const producer = await mediasoupCall(() =>
        peer.produce(transportId, kind, source, rtpParameters as types.RtpParameters, paused ?? false),
      );
      room.announceProducer(peer, producer, rtpParameters.encodings?.length ?? 1);
      return { producerId: producer.id };
    },

    pauseProducer: async ({ producerId }) => {
      const { room, peer } = joinedRoom();
      await room.setProducerPaused(peer, producerId, true);
      return {};
    },

    resumeProducer: async ({ producerId }) => {
      const { room, peer } = joinedRoom();
      await room.setProducerPaused(peer, producerId, false);
      return {};
    },

    closeProducer: async ({ producerId }) => {
      const { room, peer } = joinedRoom();
      peer.producer(producerId).close();
      room.broadcast(peer, 'producerClosed', { peerId: peer.id, producerId });
      return {};
    },

    resumeConsumer: async ({ consumerId }) => {
      const { room, peer } = joinedRoom();
      const consumer = peer.consumer(consumerId);
      await mediasoupCall(() => consumer.resume());
      room.sentLayers.show(consumer.id, true);
      return {};
    },

    pauseConsumer: async ({ consumerId }) => {
      const { room, peer } = joinedRoom();
      const consumer = peer.consumer(consumerId);
      await mediasoupCall(() => consumer.pause());
      room.sentLayers.show(consumer.id, false);
      return {};
    },

    setPreferredLayers: async ({ consumerId, spatialLayer }) => {
      const { room, peer } = joinedRoom();
      const consumer = peer.consumer(consumerId);
      // Single-layer streams (audio, a screen) have no layers to choose: nothing to do.
      if (consumer.type === 'simulcast' || consumer.type === 'svc') {
        await mediasoupCall(() => consumer.setPreferredLayers({ spatialLayer }));
        room.sentLayers.prefer(consumer.id, spatialLayer);
      }
      return {};
    },
  };
}

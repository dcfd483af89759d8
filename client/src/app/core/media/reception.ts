import type { SignallingChannel } from '../signalling/signalling-channel';
import type { Reception } from './call-types';
import type { RemoteProducer } from './remote-peers';

/** A stream no tile asked about yet is received in full. */
const SHOWN_IN_FULL: Reception = { visible: true, layer: 2 };

/**
 * Tells the SFU how this side shows a remote stream: a hidden one is paused
 * (no bytes, nothing decoded), a shown one is resumed in the layer its tile
 * needs. Requests for one stream go in order, each with what is `wanted`
 * when its turn comes; only changes are sent.
 */
export function applyReception(
  producer: RemoteProducer,
  wanted: () => Reception | undefined,
  signalling: SignallingChannel,
  ended: () => boolean,
): Promise<void> {
  producer.applying = (producer.applying ?? Promise.resolve()).then(async () => {
    const { consumer, applied } = producer;
    if (!consumer || consumer.closed || ended()) return;
    const shown = wanted() ?? SHOWN_IN_FULL;
    // Sent together: the server handles one socket's requests in order, so the layer is set before the resume.
    const requests: Array<Promise<unknown>> = [];
    if (consumer.kind === 'video' && shown.layer !== (applied ?? SHOWN_IN_FULL).layer) {
      requests.push(signalling.request('setPreferredLayers', { consumerId: consumer.id, spatialLayer: shown.layer }));
    }
    if (shown.visible !== applied?.visible) {
      requests.push(signalling.request(shown.visible ? 'resumeConsumer' : 'pauseConsumer', { consumerId: consumer.id }));
    }
    try {
      await Promise.all(requests);
      producer.applied = shown;
    } catch {
      // The stream or the call went away meanwhile.
    }
  });
  return producer.applying;
}

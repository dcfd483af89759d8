import type { types } from 'mediasoup';

/**
 * What rooms use of mediasoup's routers, transports, producers and
 * consumers. mediasoup's own objects have all of it; so do the stand-ins for
 * objects on another node of a cluster (cluster/remote-media.ts), which is
 * how a room serves a participant whose socket, and so media, is there.
 */
export interface Ending {
  readonly closed: boolean;
  readonly observer: { once(event: 'close', listener: () => void): unknown };
  close(): void;
}

export interface SfuProducer<AppData extends types.AppData = types.AppData> extends Ending {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly paused: boolean;
  readonly appData: AppData;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface SfuConsumer extends Ending {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly type: types.ConsumerType;
  readonly rtpParameters: types.RtpParameters;
  readonly producerPaused: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setPreferredLayers(layers: types.ConsumerLayers): Promise<void>;
}

export interface SfuTransport extends Ending {
  readonly id: string;
  readonly iceParameters: types.IceParameters;
  readonly iceCandidates: types.IceCandidate[];
  readonly dtlsParameters: types.DtlsParameters;
  connect(options: { dtlsParameters: types.DtlsParameters }): Promise<void>;
  restartIce(): Promise<types.IceParameters>;
  setMaxIncomingBitrate(bitrate: number): Promise<void>;
  produce<AppData extends types.AppData>(options: {
    kind: types.MediaKind;
    rtpParameters: types.RtpParameters;
    paused: boolean;
    appData: AppData;
  }): Promise<SfuProducer<AppData>>;
  consume(options: { producerId: string; rtpCapabilities: types.RtpCapabilities; paused: boolean }): Promise<SfuConsumer>;
}

export interface SfuRouter {
  readonly id: string;
  canConsume(options: { producerId: string; rtpCapabilities: types.RtpCapabilities }): boolean;
  createWebRtcTransport(options: WebRtcTransportOptions): Promise<SfuTransport>;
}

/** The options rooms make transports with; a router of another node uses its own WebRtcServer. */
export interface WebRtcTransportOptions {
  readonly webRtcServer?: types.WebRtcServer;
  readonly enableUdp?: boolean;
  readonly enableTcp?: boolean;
  readonly preferUdp?: boolean;
  readonly initialAvailableOutgoingBitrate?: number;
}

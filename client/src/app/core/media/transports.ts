import type { Device, types } from 'mediasoup-client';
import type { MediaSource, RequestResult } from '@raum/protocol';
import type { SignallingChannel } from '../signalling/signalling-channel';
import type { IceRepair } from './ice-repair';

export interface TransportSetup {
  readonly signalling: SignallingChannel;
  readonly device: Device;
  /** Only the operator's own STUN/TURN servers, never a public one. */
  readonly ice: Pick<types.TransportOptions, 'iceServers' | 'iceTransportPolicy'>;
  /** Whether frames pass the E2EE worker's transforms. */
  readonly encrypted: boolean;
  /** The SFU could not be given a transport's DTLS parameters: it never connects, and the call cannot go on. */
  readonly unconnectable: (error: unknown) => void;
}

type Direction = 'send' | 'recv';

/** The SFU's side of a transport, as createTransport answers it. */
type RemoteTransport = RequestResult<'createTransport'>;

/**
 * A call's send and receive transports, watched for broken connectivity.
 * Streams wait for them (`ready`) while they are being made; after reset()
 * they wait for the next pair.
 */
export class TransportPair {
  send: types.Transport | undefined;
  recv: types.Transport | undefined;
  /** Only the operator's own STUN/TURN servers, with the latest credentials. */
  ice: TransportSetup['ice'] = {};
  #ready!: Promise<void>;
  #created: (() => void) | undefined;
  /** The SFU's side of the pair, asked for ahead (ask()). */
  #asked: Record<Direction, Promise<RemoteTransport | undefined>> | undefined;

  constructor(
    private readonly setup: Omit<TransportSetup, 'ice'>,
    private readonly repair: IceRepair,
  ) {
    this.reset();
  }

  /** Resolves once a pair exists, or when the pair waited for was given up (then there is none). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get all(): types.Transport[] {
    return [this.send, this.recv].filter((transport) => transport !== undefined);
  }

  /** Closes the pair there is; until create() finishes, streams wait. Whoever waited before goes on (and finds none). */
  reset(): void {
    this.#asked = undefined;
    this.close();
    this.#created?.();
    this.#ready = new Promise<void>((resolve) => (this.#created = resolve));
  }

  /**
   * Asks the SFU for the pair right behind the join, on the same socket,
   * without waiting for the join's answer: the server handles one socket's
   * requests in order, so they are made as soon as the join is done, and
   * create() saves a round trip. When the join did not let us in (a lobby,
   * a refusal) they are refused, and create() asks again.
   */
  ask(): void {
    const ask = (direction: Direction) =>
      this.setup.signalling.request('createTransport', { direction }).catch((): RemoteTransport | undefined => undefined);
    this.#asked = { recv: ask('recv'), send: ask('send') };
  }

  /** Makes the pair; one finished after the call closed (`closed`) is closed at once. */
  async create(closed: () => boolean): Promise<void> {
    const setup = { ...this.setup, ice: this.ice };
    const asked = this.#asked;
    this.#asked = undefined;
    const [recv, send] = await Promise.all([createTransport('recv', setup, asked?.recv), createTransport('send', setup, asked?.send)]);
    if (closed()) {
      recv.close();
      send.close();
      return;
    }
    this.repair.watch(recv);
    this.repair.watch(send);
    this.recv = recv;
    this.send = send;
    this.#created?.();
  }

  /** Fresh TURN credentials, for the transports to come and those there are. */
  async renewIceServers(iceServers: RTCIceServer[]): Promise<void> {
    this.ice = { ...this.ice, iceServers };
    for (const transport of this.all) await this.repair.renew(transport, iceServers);
  }

  close(): void {
    this.send?.close();
    this.recv?.close();
    this.send = this.recv = undefined;
  }
}

/** One of a call's two transports, made on the SFU first (unless it was asked for ahead) and wired to it through signalling. */
async function createTransport(
  direction: Direction,
  { signalling, device, ice, encrypted, unconnectable }: TransportSetup,
  asked?: Promise<RemoteTransport | undefined>,
): Promise<types.Transport> {
  const remote = (await asked) ?? (await signalling.request('createTransport', { direction }));
  const options: types.TransportOptions = {
    id: remote.transportId,
    iceParameters: remote.iceParameters as types.IceParameters,
    iceCandidates: remote.iceCandidates as types.IceCandidate[],
    dtlsParameters: remote.dtlsParameters as types.DtlsParameters,
    ...ice,
    // Without it, a transform attached after negotiation sees no frame and media leaves unencrypted.
    additionalSettings: encrypted ? ({ encodedInsertableStreams: true } as Partial<RTCConfiguration>) : undefined,
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  transport.on('connect', ({ dtlsParameters }, callback) => {
    // ICE and DTLS start without waiting for the answer, which saves the join a round trip: the SFU shakes hands as
    // soon as ICE is up, and sends nothing until this has come and the browser's certificate matches its fingerprint.
    signalling
      .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
      .catch((error: unknown) => transport.closed || unconnectable(error));
    callback();
  });
  transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
    signalling
      .request('produce', {
        transportId: transport.id,
        kind,
        source: appData['source'] as MediaSource,
        rtpParameters: rtpParameters as never,
      })
      .then(({ producerId }) => callback({ id: producerId }), errback);
  });
  return transport;
}

/**
 * Three layers for the camera, so the SFU can send each receiver what fits its tile. Those nobody shows are not
 * encoded: the SFU says which (`sendLayers`).
 */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/** A shared screen is read, not watched: full resolution at a few frames a second, one layer. */
const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [{ maxBitrate: 2_500_000, maxFramerate: 8 }];

const VOICE: types.ProducerCodecOptions = { opusStereo: false, opusDtx: true, opusFec: true };

/** How each source is encoded. */
export function sendOptions(source: MediaSource): Pick<types.ProducerOptions, 'encodings' | 'codecOptions'> {
  switch (source) {
    case 'camera':
      return { encodings: CAMERA_ENCODINGS };
    case 'screen':
      return { encodings: SCREEN_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } };
    case 'screen-audio':
      return { codecOptions: { opusStereo: true, opusDtx: false, opusFec: true } };
    case 'microphone':
      return { codecOptions: VOICE };
  }
}

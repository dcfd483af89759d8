import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  useFIR,
  useNACK,
  usePLI,
  type PeerConfig,
} from 'werift';

/**
 * A werift peer connection against one of Raum's WebRtcTransports, over
 * loopback only. The bot writes the SDP the SFU's side would say (ICE-lite,
 * the transport's candidates and fingerprint), as mediasoup-client does in a
 * browser; payload types and header extension ids are fixed here, so the
 * bot knows them without parsing its own SDP.
 */
export const PAYLOAD = { opus: 111, vp8: 96 } as const;
export const EXTENSION = {
  mid: { id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
  rid: { id: 2, uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' },
} as const;
export const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];

/** What the bot can receive, as the `rtpCapabilities` of `join`. */
export const BOT_RTP_CAPABILITIES = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: PAYLOAD.opus, rtcpFeedback: [] },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: PAYLOAD.vp8, rtcpFeedback: VIDEO_FEEDBACK },
  ],
  headerExtensions: [
    { kind: 'audio', uri: EXTENSION.mid.uri, preferredId: EXTENSION.mid.id, direction: 'sendrecv' },
    { kind: 'video', uri: EXTENSION.mid.uri, preferredId: EXTENSION.mid.id, direction: 'sendrecv' },
  ],
};

/** A transport as `createTransport` answers it. */
export interface TransportOffer {
  readonly transportId: string;
  readonly iceParameters: { usernameFragment: string; password: string };
  readonly iceCandidates: ReadonlyArray<{
    foundation: string;
    priority: number;
    address: string;
    protocol: string;
    port: number;
    type: string;
  }>;
  readonly dtlsParameters: { fingerprints: ReadonlyArray<{ algorithm: string; value: string }> };
}

/** A consumer as `consume` answers it. */
export interface ConsumerOffer {
  readonly consumerId: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: {
    mid?: string;
    codecs: ReadonlyArray<{
      mimeType: string;
      payloadType: number;
      clockRate: number;
      channels?: number;
      rtcpFeedback?: ReadonlyArray<{ type: string; parameter?: string }>;
    }>;
    headerExtensions?: ReadonlyArray<{ uri: string; id: number }>;
    encodings?: ReadonlyArray<{ ssrc?: number }>;
    rtcp?: { cname?: string };
  };
}

/** werift's defaults would ask a public STUN server and gather every interface: here, 127.0.0.1 and nothing else. */
export function loopbackPeer(): RTCPeerConnection {
  const config: Partial<PeerConfig> = {
    iceServers: [],
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceUseTcp: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: PAYLOAD.opus })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          payloadType: PAYLOAD.vp8,
          rtcpFeedback: [useNACK(), usePLI(), useFIR()],
        }),
      ],
    },
    headerExtensions: {
      audio: [new RTCRtpHeaderExtensionParameters(EXTENSION.mid)],
      video: [new RTCRtpHeaderExtensionParameters(EXTENSION.mid), new RTCRtpHeaderExtensionParameters(EXTENSION.rid)],
    },
  };
  return new RTCPeerConnection(config);
}

/** The DTLS parameters of `connectTransport`, from the bot's own SDP: its fingerprint, as DTLS client. */
export function localDtls(peer: RTCPeerConnection): { role: 'client'; fingerprints: Array<{ algorithm: string; value: string }> } {
  const match = /a=fingerprint:(\S+) (\S+)/.exec(peer.localDescription?.sdp ?? '');
  if (!match) throw new Error('no DTLS fingerprint in the local description');
  return { role: 'client', fingerprints: [{ algorithm: match[1], value: match[2] }] };
}

function transportLines({ iceParameters, iceCandidates, dtlsParameters }: TransportOffer, setup: 'passive' | 'actpass'): string[] {
  const fingerprint = dtlsParameters.fingerprints.find((candidate) => candidate.algorithm === 'sha-256') ?? dtlsParameters.fingerprints[0];
  return [
    `a=ice-ufrag:${iceParameters.usernameFragment}`,
    `a=ice-pwd:${iceParameters.password}`,
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
    `a=setup:${setup}`,
    ...iceCandidates
      .filter((candidate) => candidate.protocol === 'udp')
      .map(
        (candidate) =>
          `a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${candidate.address} ${candidate.port} typ ${candidate.type}`,
      ),
    'a=end-of-candidates',
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
}

function sdp(mids: readonly string[], media: string[]): string {
  const session = ['v=0', `o=- ${Date.now()} 1 IN IP4 0.0.0.0`, 's=-', 't=0 0', 'a=ice-lite', `a=group:BUNDLE ${mids.join(' ')}`];
  return [...session, ...media, ''].join('\r\n');
}

/** The SFU's answer to the bot's offer of one sendonly video (with mid and rid) and one sendonly audio section. */
export function sendAnswer(transport: TransportOffer, sections: ReadonlyArray<{ kind: 'audio' | 'video'; mid: string }>): string {
  const media = sections.flatMap(({ kind, mid }) => [
    kind === 'video' ? `m=video 7 UDP/TLS/RTP/SAVPF ${PAYLOAD.vp8}` : `m=audio 7 UDP/TLS/RTP/SAVPF ${PAYLOAD.opus}`,
    'c=IN IP4 127.0.0.1',
    `a=mid:${mid}`,
    'a=recvonly',
    ...transportLines(transport, 'passive'),
    ...(kind === 'video'
      ? [
          `a=rtpmap:${PAYLOAD.vp8} VP8/90000`,
          ...VIDEO_FEEDBACK.map(({ type, parameter }) => `a=rtcp-fb:${PAYLOAD.vp8} ${type}${parameter ? ` ${parameter}` : ''}`),
          `a=extmap:${EXTENSION.mid.id} ${EXTENSION.mid.uri}`,
          `a=extmap:${EXTENSION.rid.id} ${EXTENSION.rid.uri}`,
        ]
      : [`a=rtpmap:${PAYLOAD.opus} opus/48000/2`, `a=extmap:${EXTENSION.mid.id} ${EXTENSION.mid.uri}`]),
  ]);
  return sdp(
    sections.map(({ mid }) => mid),
    media,
  );
}

/** The SFU's offer of these consumers, one sendonly section each, as the bot will receive them. */
export function receiveOffer(transport: TransportOffer, consumers: readonly ConsumerOffer[]): string {
  const media = consumers.flatMap(({ consumerId, kind, rtpParameters: parameters }) => {
    const codecs = parameters.codecs.filter((codec) => !/\/rtx$/i.test(codec.mimeType));
    return [
      `m=${kind} 7 UDP/TLS/RTP/SAVPF ${codecs.map((codec) => codec.payloadType).join(' ')}`,
      'c=IN IP4 127.0.0.1',
      `a=mid:${parameters.mid}`,
      'a=sendonly',
      ...transportLines(transport, 'actpass'),
      ...codecs.flatMap((codec) => [
        `a=rtpmap:${codec.payloadType} ${codec.mimeType.split('/')[1]}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`,
        ...(codec.rtcpFeedback ?? []).map(
          ({ type, parameter }) => `a=rtcp-fb:${codec.payloadType} ${type}${parameter ? ` ${parameter}` : ''}`,
        ),
      ]),
      ...(parameters.headerExtensions ?? []).map(({ id, uri }) => `a=extmap:${id} ${uri}`),
      `a=msid:bots ${consumerId}`,
      ...(parameters.encodings ?? []).map(({ ssrc }) => `a=ssrc:${ssrc} cname:${parameters.rtcp?.cname ?? 'bot'}`),
    ];
  });
  return sdp(
    consumers.map(({ rtpParameters }) => rtpParameters.mid ?? ''),
    media,
  );
}

/** Resolves once the peer's ICE and DTLS are up; rejects after `timeoutMs`. */
export function connected(peer: RTCPeerConnection, timeoutMs = 15_000): Promise<void> {
  if (peer.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (unsubscribe(), reject(new Error(`not connected after ${timeoutMs} ms`))), timeoutMs);
    const { unSubscribe: unsubscribe } = peer.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

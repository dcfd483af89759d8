import { RTCPeerConnection, RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters, type PeerConfig } from 'werift';

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
const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];

interface Codec {
  readonly mimeType: string;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly channels?: number;
  readonly rtcpFeedback?: ReadonlyArray<{ type: string; parameter?: string }>;
}

/** What a publisher sends, by kind: the codec and header extensions of its `produce`, its SDP and the SFU's answer. */
export const SENT = {
  video: {
    codec: { mimeType: 'video/VP8', payloadType: PAYLOAD.vp8, clockRate: 90000, rtcpFeedback: VIDEO_FEEDBACK },
    headerExtensions: [EXTENSION.mid, EXTENSION.rid],
  },
  audio: {
    codec: { mimeType: 'audio/opus', payloadType: PAYLOAD.opus, clockRate: 48000, channels: 2 },
    headerExtensions: [EXTENSION.mid],
  },
} as const satisfies Record<'audio' | 'video', { codec: Codec; headerExtensions: ReadonlyArray<{ id: number; uri: string }> }>;

/** What the bot can receive (what it sends), as the `rtpCapabilities` of `join`. */
export const BOT_RTP_CAPABILITIES = {
  codecs: (['audio', 'video'] as const).map((kind) => {
    const { payloadType, ...codec }: Codec = SENT[kind].codec;
    return { kind, ...codec, preferredPayloadType: payloadType, rtcpFeedback: codec.rtcpFeedback ?? [] };
  }),
  headerExtensions: (['audio', 'video'] as const).map((kind) => ({
    kind,
    uri: EXTENSION.mid.uri,
    preferredId: EXTENSION.mid.id,
    direction: 'sendrecv',
  })),
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

/** A consumer as Raum pushes it (`newConsumer`). */
export interface ConsumerOffer {
  readonly consumerId: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: {
    mid?: string;
    codecs: readonly Codec[];
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
      audio: [new RTCRtpCodecParameters(SENT.audio.codec)],
      video: [new RTCRtpCodecParameters({ ...SENT.video.codec, rtcpFeedback: [...SENT.video.codec.rtcpFeedback] })],
    },
    headerExtensions: {
      audio: SENT.audio.headerExtensions.map((extension) => new RTCRtpHeaderExtensionParameters(extension)),
      video: SENT.video.headerExtensions.map((extension) => new RTCRtpHeaderExtensionParameters(extension)),
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

/** One media section as the SFU's side says it: transport, codecs, header extensions. */
function section(
  transport: TransportOffer,
  {
    kind,
    mid,
    direction,
    codecs,
    headerExtensions,
  }: {
    kind: 'audio' | 'video';
    mid: string;
    direction: 'recvonly' | 'sendonly';
    codecs: readonly Codec[];
    headerExtensions: ReadonlyArray<{ id: number; uri: string }>;
  },
): string[] {
  return [
    `m=${kind} 7 UDP/TLS/RTP/SAVPF ${codecs.map((codec) => codec.payloadType).join(' ')}`,
    'c=IN IP4 127.0.0.1',
    `a=mid:${mid}`,
    `a=${direction}`,
    // As the answerer it lets the bot be the DTLS client; as the offerer it leaves the choice to the bot.
    ...transportLines(transport, direction === 'recvonly' ? 'passive' : 'actpass'),
    ...codecs.flatMap((codec) => [
      `a=rtpmap:${codec.payloadType} ${codec.mimeType.split('/')[1]}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`,
      ...(codec.rtcpFeedback ?? []).map(
        ({ type, parameter }) => `a=rtcp-fb:${codec.payloadType} ${type}${parameter ? ` ${parameter}` : ''}`,
      ),
    ]),
    ...headerExtensions.map(({ id, uri }) => `a=extmap:${id} ${uri}`),
  ];
}

/** The SFU's answer to the bot's offer of one sendonly video (with mid and rid) and one sendonly audio section. */
export function sendAnswer(transport: TransportOffer, sections: ReadonlyArray<{ kind: 'audio' | 'video'; mid: string }>): string {
  const media = sections.flatMap(({ kind, mid }) =>
    section(transport, { kind, mid, direction: 'recvonly', codecs: [SENT[kind].codec], headerExtensions: SENT[kind].headerExtensions }),
  );
  return sdp(
    sections.map(({ mid }) => mid),
    media,
  );
}

/** The SFU's offer of these consumers, one sendonly section each, as the bot will receive them. */
export function receiveOffer(transport: TransportOffer, consumers: readonly ConsumerOffer[]): string {
  const media = consumers.flatMap(({ consumerId, kind, rtpParameters: parameters }) => [
    ...section(transport, {
      kind,
      mid: parameters.mid ?? '',
      direction: 'sendonly',
      codecs: parameters.codecs.filter((codec) => !/\/rtx$/i.test(codec.mimeType)),
      headerExtensions: parameters.headerExtensions ?? [],
    }),
    `a=msid:bots ${consumerId}`,
    ...(parameters.encodings ?? []).map(({ ssrc }) => `a=ssrc:${ssrc} cname:${parameters.rtcp?.cname ?? 'bot'}`),
  ]);
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

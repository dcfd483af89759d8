import type { types } from 'mediasoup';

/**
 * Opus and VP8 only: every browser sends and receives them, and end-to-end
 * encryption keeps their payload headers in clear, which keeps frames
 * decodable (whole-frame transforms break VP8, AV1 and H264 depacketising).
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

/**
 * RTP header extensions the SFU does not offer. Audio levels (RFC 6464) would
 * tell the server who speaks when: personal data it does not need, since
 * browsers find the active speaker in the audio they decode.
 */
export const WITHHELD_HEADER_EXTENSIONS: readonly string[] = ['urn:ietf:params:rtp-hdrext:ssrc-audio-level'];

import type { types } from 'mediasoup';

/** Send parameters as a browser would offer them for the router's codecs. */
export function videoRtpParameters(ssrc = 1111): types.RtpParameters {
  return {
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
    ],
    encodings: [{ ssrc }],
    headerExtensions: [],
    rtcp: { cname: 'test' },
  };
}

export function audioRtpParameters(ssrc = 2222): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [],
    rtcp: { cname: 'test' },
  };
}

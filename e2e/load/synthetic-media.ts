import { randomBytes, randomInt } from 'node:crypto';
import {
  ntpTime,
  RtcpPayloadSpecificFeedback,
  RtcpSenderInfo,
  RtcpSrPacket,
  RtpHeader,
  RtpPacket,
  type RTCDtlsTransport,
  type RTCRtpTransceiver,
} from 'werift';
import { EXTENSION, PAYLOAD } from './werift-peer';

/** One simulcast layer as a camera would send it, small to large. */
export interface Layer {
  readonly rid: string;
  readonly width: number;
  readonly height: number;
  /** A frame's size: one RTP packet carries up to PACKET_BYTES of it. */
  readonly frameBytes: number;
}

/** Three layers, the way the browser client sends its camera; sizes give about 100, 250 and 550 kbit/s at 15 fps. */
export const LAYERS: readonly Layer[] = [
  { rid: 'r0', width: 320, height: 180, frameBytes: 800 },
  { rid: 'r1', width: 640, height: 360, frameBytes: 2000 },
  { rid: 'r2', width: 1280, height: 720, frameBytes: 4500 },
];
export const FRAMES_PER_SECOND = 15;
/** Opus sends a packet every 20 ms. */
const AUDIO_PACKET_MS = 20;
const PACKET_BYTES = 1100;
/** A key frame every this many frames, besides those the SFU asks for. */
const KEY_FRAME_EVERY = 4 * FRAMES_PER_SECOND;
const VIDEO_CLOCK = 90_000;

/**
 * VP8 frames in RTP payloads (RFC 7741): the descriptor with a 15-bit
 * picture id and TL0PICIDX, then the frame. Key frames begin with the start
 * code and size the SFU reads. The content is filler: nobody decodes it.
 */
class Vp8Source {
  #pictureId = randomInt(0x7fff);
  #tl0 = 0;
  readonly #filler: Buffer;

  constructor(private readonly layer: Layer) {
    this.#filler = randomBytes(layer.frameBytes);
  }

  frame(key: boolean): Buffer[] {
    const body = Buffer.from(this.#filler);
    // Frame tag: show_frame, and the inverted key-frame bit.
    body[0] = 0x10 | (key ? 0 : 1);
    body[1] = 0;
    body[2] = 0;
    if (key) {
      body.set([0x9d, 0x01, 0x2a], 3);
      body.writeUInt16LE(this.layer.width, 6);
      body.writeUInt16LE(this.layer.height, 8);
    }
    const pictureId = this.#pictureId;
    this.#pictureId = (pictureId + 1) & 0x7fff;
    this.#tl0 = (this.#tl0 + 1) & 0xff;
    const payloads: Buffer[] = [];
    for (let offset = 0; offset < body.length; offset += PACKET_BYTES) {
      // X, S (first packet of the frame); I, L, T; M and the picture id; TL0PICIDX; TID 0 with Y.
      const descriptor = Buffer.from([0x80 | (offset === 0 ? 0x10 : 0), 0xe0, 0x80 | (pictureId >> 8), pictureId & 0xff, this.#tl0, 0x20]);
      payloads.push(Buffer.concat([descriptor, body.subarray(offset, offset + PACKET_BYTES)]));
    }
    return payloads;
  }
}

interface LayerStream {
  readonly layer: Layer;
  readonly source: Vp8Source;
  readonly ssrc: number;
  /** Its mid and rid header extensions, the same on every packet. */
  readonly extensions: Array<{ id: number; payload: Buffer }>;
  sequence: number;
  packets: number;
  octets: number;
  keyWanted: boolean;
}

/** What a publisher sent, by kind. */
export interface Sent {
  video: number;
  audio: number;
}

/**
 * A camera and a microphone made of synthetic RTP: VP8 in three simulcast
 * layers and Opus, through the bot's DTLS-SRTP transport. werift sends one
 * SSRC per sender, so each layer is written with its own SSRC and its rid
 * and mid extensions, as a browser's rid simulcast does, with a sender
 * report per layer (the SFU needs one before it switches layers). A key
 * frame follows every PLI or FIR from the SFU.
 */
export class SyntheticCamera {
  readonly sent: Sent = { video: 0, audio: 0 };
  readonly #streams: LayerStream[];
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];
  readonly #dtls: RTCDtlsTransport;
  /** An Opus packet: the TOC byte of a 20 ms fullband CELT frame, then filler (the SFU never decodes it). */
  readonly #opus = Buffer.concat([Buffer.from([0xfc]), randomBytes(79)]);
  #frames = 0;
  #videoTimestamp = randomInt(2 ** 31);
  #audioTimestamp = randomInt(2 ** 31);
  #audioSequence = randomInt(0xffff);

  constructor(
    video: RTCRtpTransceiver,
    private readonly audio: RTCRtpTransceiver,
  ) {
    this.#dtls = video.sender.dtlsTransport;
    const mid = { id: EXTENSION.mid.id, payload: Buffer.from(video.mid ?? '') };
    this.#streams = LAYERS.map((layer) => ({
      layer,
      source: new Vp8Source(layer),
      ssrc: randomInt(1, 2 ** 31),
      extensions: [mid, { id: EXTENSION.rid.id, payload: Buffer.from(layer.rid) }],
      sequence: randomInt(0xffff),
      packets: 0,
      octets: 0,
      keyWanted: true,
    }));
    this.#dtls.onRtcp.subscribe((packet) => {
      if (!(packet instanceof RtcpPayloadSpecificFeedback)) return;
      const feedback = packet.feedback;
      const asked = 'fir' in feedback ? feedback.fir.map((entry) => entry.ssrc) : [feedback.mediaSsrc];
      for (const stream of this.#streams) if (asked.includes(stream.ssrc)) stream.keyWanted = true;
    });
  }

  /** The encodings of the video producer, as `produce` takes them. */
  get encodings(): Array<{ rid: string; scalabilityMode: string }> {
    return this.#streams.map(({ layer }) => ({ rid: layer.rid, scalabilityMode: 'L1T1' }));
  }

  get audioSsrc(): number {
    return this.audio.sender.ssrc;
  }

  start(): void {
    this.#timers.push(
      setInterval(() => void this.sendFrame().catch(() => undefined), 1000 / FRAMES_PER_SECOND),
      setInterval(() => void this.sendAudio().catch(() => undefined), AUDIO_PACKET_MS),
      setInterval(() => void this.sendReports().catch(() => undefined), 500),
    );
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }

  private async sendFrame(): Promise<void> {
    this.#videoTimestamp = (this.#videoTimestamp + VIDEO_CLOCK / FRAMES_PER_SECOND) >>> 0;
    const periodic = this.#frames++ % KEY_FRAME_EVERY === 0;
    for (const stream of this.#streams) {
      const payloads = stream.source.frame(stream.keyWanted || periodic);
      stream.keyWanted = false;
      for (const [index, payload] of payloads.entries()) {
        stream.sequence = (stream.sequence + 1) & 0xffff;
        const header = new RtpHeader({
          payloadType: PAYLOAD.vp8,
          sequenceNumber: stream.sequence,
          timestamp: this.#videoTimestamp,
          ssrc: stream.ssrc,
          marker: index === payloads.length - 1,
          extension: true,
          extensions: stream.extensions,
        });
        stream.packets++;
        stream.octets += payload.length;
        this.sent.video++;
        await this.#dtls.sendRtp(payload, header);
      }
    }
  }

  private async sendAudio(): Promise<void> {
    this.#audioTimestamp = (this.#audioTimestamp + (48_000 * AUDIO_PACKET_MS) / 1000) >>> 0;
    this.#audioSequence = (this.#audioSequence + 1) & 0xffff;
    const header = new RtpHeader({ payloadType: PAYLOAD.opus, sequenceNumber: this.#audioSequence, timestamp: this.#audioTimestamp });
    this.sent.audio++;
    await this.audio.sender.sendRtp(new RtpPacket(header, this.#opus));
  }

  private async sendReports(): Promise<void> {
    const ntpTimestamp = ntpTime();
    await this.#dtls.sendRtcp(
      this.#streams.map(
        (stream) =>
          new RtcpSrPacket({
            ssrc: stream.ssrc,
            senderInfo: new RtcpSenderInfo({
              ntpTimestamp,
              rtpTimestamp: this.#videoTimestamp,
              packetCount: stream.packets,
              octetCount: stream.octets,
            }),
          }),
      ),
    );
  }
}

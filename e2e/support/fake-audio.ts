import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RATE = 48_000;

/** A mono 16-bit PCM WAV file of the given samples (-1…1). */
function wav(samples: Float32Array): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, index) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, sample)) * 32767), index * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * Speech as a level detector hears it: a voiced tone with harmonics, in
 * syllables of about 120 ms, never silent for long. Chromium loops the file
 * as the fake microphone.
 */
function speech(seconds: number): Float32Array {
  const samples = new Float32Array(seconds * RATE);
  for (let index = 0; index < samples.length; index++) {
    const t = index / RATE;
    const pitch = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    const voiced = Math.sin(2 * Math.PI * pitch * t) + 0.5 * Math.sin(4 * Math.PI * pitch * t) + 0.25 * Math.sin(6 * Math.PI * pitch * t);
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 0.5;
    samples[index] = 0.3 * voiced * (0.2 + 0.8 * syllable);
  }
  return samples;
}

/** WAV files for Chromium's --use-file-for-fake-audio-capture: someone talking, and silence. */
export function fakeAudioFiles(): { speech: string; silence: string } {
  const files = { speech: join(tmpdir(), 'raum-e2e-speech.wav'), silence: join(tmpdir(), 'raum-e2e-silence.wav') };
  writeFileSync(files.speech, wav(speech(6)));
  writeFileSync(files.silence, wav(new Float32Array(6 * RATE)));
  return files;
}

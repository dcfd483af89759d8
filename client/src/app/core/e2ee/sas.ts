import { concat, toBase64Url } from './bytes';

/** 64 emoji that are easy to tell apart and to name aloud. */
const EMOJI = [
  '🐶', '🐱', '🦁', '🐴', '🦄', '🐷', '🐘', '🐰', '🐼', '🐓', '🐧', '🐢', '🐟', '🐙', '🦋', '🌷',
  '🌳', '🌵', '🍄', '🌏', '🌙', '☁️', '🔥', '🍌', '🍎', '🍓', '🌽', '🍕', '🎂', '❤️', '😀', '🤖',
  '🎩', '👓', '🔧', '🎅', '👍', '☂️', '⌛', '⏰', '🎁', '💡', '📕', '✏️', '📎', '✂️', '🔒', '🔑',
  '🔨', '☎️', '🏁', '🚂', '🚲', '✈️', '🚀', '🏆', '⚽', '🎸', '🎺', '🔔', '⚓', '🎧', '📁', '📌',
];

/**
 * A short authentication string over everyone's public keys: the same for all
 * participants when nobody (the server included) swapped a key, and
 * different whenever the set of participants changes. Six emoji, 36 bits.
 */
export async function shortAuthenticationString(publicKeys: readonly Uint8Array[]): Promise<string[]> {
  const sorted = [...publicKeys].sort((a, b) => (toBase64Url(a) < toBase64Url(b) ? -1 : 1));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...sorted)));
  // The first 36 bits of the digest, six bits per emoji.
  const bits = digest.slice(0, 5).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  const groups = Array.from({ length: 6 }, (_, group) => Number((bits >> BigInt(40 - 6 * (group + 1))) & 63n));
  return groups.map((group) => EMOJI[group]);
}

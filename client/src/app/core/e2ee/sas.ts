import { concat, toBase64Url } from './bytes';

/** 64 symbols that are easy to tell apart and to say aloud, with their names. */
export const SAS_SYMBOLS: ReadonlyArray<{ readonly emoji: string; readonly en: string; readonly de: string }> = [
  ['🐶', 'Dog', 'Hund'],
  ['🐱', 'Cat', 'Katze'],
  ['🦁', 'Lion', 'Löwe'],
  ['🐴', 'Horse', 'Pferd'],
  ['🦄', 'Unicorn', 'Einhorn'],
  ['🐷', 'Pig', 'Schwein'],
  ['🐘', 'Elephant', 'Elefant'],
  ['🐰', 'Rabbit', 'Hase'],
  ['🐼', 'Panda', 'Panda'],
  ['🐓', 'Rooster', 'Hahn'],
  ['🐧', 'Penguin', 'Pinguin'],
  ['🐢', 'Turtle', 'Schildkröte'],
  ['🐟', 'Fish', 'Fisch'],
  ['🐙', 'Octopus', 'Krake'],
  ['🦋', 'Butterfly', 'Schmetterling'],
  ['🌷', 'Flower', 'Blume'],
  ['🌳', 'Tree', 'Baum'],
  ['🌵', 'Cactus', 'Kaktus'],
  ['🍄', 'Mushroom', 'Pilz'],
  ['🌏', 'Globe', 'Globus'],
  ['🌙', 'Moon', 'Mond'],
  ['☁️', 'Cloud', 'Wolke'],
  ['🔥', 'Fire', 'Feuer'],
  ['🍌', 'Banana', 'Banane'],
  ['🍎', 'Apple', 'Apfel'],
  ['🍓', 'Strawberry', 'Erdbeere'],
  ['🌽', 'Corn', 'Mais'],
  ['🍕', 'Pizza', 'Pizza'],
  ['🎂', 'Cake', 'Kuchen'],
  ['❤️', 'Heart', 'Herz'],
  ['😀', 'Smiley', 'Smiley'],
  ['🤖', 'Robot', 'Roboter'],
  ['🎩', 'Hat', 'Hut'],
  ['👓', 'Glasses', 'Brille'],
  ['🔧', 'Spanner', 'Schraubenschlüssel'],
  ['🎅', 'Santa', 'Weihnachtsmann'],
  ['👍', 'Thumbs up', 'Daumen hoch'],
  ['☂️', 'Umbrella', 'Regenschirm'],
  ['⌛', 'Hourglass', 'Sanduhr'],
  ['⏰', 'Clock', 'Wecker'],
  ['🎁', 'Gift', 'Geschenk'],
  ['💡', 'Light bulb', 'Glühbirne'],
  ['📕', 'Book', 'Buch'],
  ['✏️', 'Pencil', 'Bleistift'],
  ['📎', 'Paperclip', 'Büroklammer'],
  ['✂️', 'Scissors', 'Schere'],
  ['🔒', 'Lock', 'Schloss'],
  ['🔑', 'Key', 'Schlüssel'],
  ['🔨', 'Hammer', 'Hammer'],
  ['☎️', 'Telephone', 'Telefon'],
  ['🏁', 'Flag', 'Flagge'],
  ['🚂', 'Train', 'Zug'],
  ['🚲', 'Bicycle', 'Fahrrad'],
  ['✈️', 'Aeroplane', 'Flugzeug'],
  ['🚀', 'Rocket', 'Rakete'],
  ['🏆', 'Trophy', 'Pokal'],
  ['⚽', 'Ball', 'Ball'],
  ['🎸', 'Guitar', 'Gitarre'],
  ['🎺', 'Trumpet', 'Trompete'],
  ['🔔', 'Bell', 'Glocke'],
  ['⚓', 'Anchor', 'Anker'],
  ['🎧', 'Headphones', 'Kopfhörer'],
  ['📁', 'Folder', 'Ordner'],
  ['📌', 'Pin', 'Pinnwandnadel'],
].map(([emoji, en, de]) => ({ emoji, en, de }));

/**
 * A short authentication string over everyone's public keys: the same for all
 * participants when nobody (the server included) swapped a key, and
 * different whenever the set of participants changes. Six symbols (indexes
 * into SAS_SYMBOLS) from the first 36 bits of a SHA-256 digest.
 */
export async function shortAuthenticationString(publicKeys: readonly Uint8Array[]): Promise<number[]> {
  const sorted = [...publicKeys].sort((a, b) => (toBase64Url(a) < toBase64Url(b) ? -1 : 1));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...sorted)));
  const bits = digest.slice(0, 5).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  return Array.from({ length: 6 }, (_, group) => Number((bits >> BigInt(40 - 6 * (group + 1))) & 63n));
}

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

/** How many symbols the code shows: 8 × 6 bits = 48 bits of the epoch authenticator. */
export const CODE_SYMBOLS = 8;

/**
 * The meeting's verification code: the first 48 bits of the MLS epoch
 * authenticator, as eight indexes into SAS_SYMBOLS. Everyone in the same
 * epoch of the same group sees the same code; a substituted key or a member
 * nobody sees gives a different group, so a different code for everyone.
 */
export function verificationCode(authenticator: Uint8Array): number[] {
  const bits = authenticator.slice(0, 6).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  return Array.from({ length: CODE_SYMBOLS }, (_, group) => Number((bits >> BigInt(48 - 6 * (group + 1))) & 63n));
}

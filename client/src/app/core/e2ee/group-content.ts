import { MAX_DISPLAY_NAME_LENGTH } from '@raum/protocol';

const MAX_CHAT_LENGTH = 2000;

/** The reactions a person can send: a fixed set, so nothing else is ever shown on a tile. */
export const REACTIONS = ['👍', '👏', '😂', '😮', '❤️', '🎉'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** How a person presents themself to the others: their name (empty for none) and whether their hand is up. */
export interface Profile {
  readonly name: string;
  readonly hand: boolean;
}

/**
 * What the MLS group carries for the meeting, signed by its sender. The
 * server relays it unread: it never learns names, chat, hands or reactions.
 */
export type GroupContent =
  | { readonly t: 'chat'; readonly text: string }
  | ({ readonly t: 'profile' } & Profile)
  | { readonly t: 'reaction'; readonly emoji: Reaction }
  /** A host made a new link: its secret (base64url), so everyone in keeps following the group. */
  | { readonly t: 'link'; readonly k: string };

/** Reads what a member sent; anything malformed, oversized or unknown is undefined and never shown. */
export function parseContent(data: Uint8Array): GroupContent | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  switch (value['t']) {
    case 'chat':
      return typeof value['text'] === 'string' && value['text'].length <= MAX_CHAT_LENGTH ? { t: 'chat', text: value['text'] } : undefined;
    case 'profile':
      if (typeof value['name'] !== 'string') return undefined;
      return { t: 'profile', name: value['name'].trim().slice(0, MAX_DISPLAY_NAME_LENGTH), hand: value['hand'] === true };
    case 'link':
      return typeof value['k'] === 'string' && /^[A-Za-z0-9_-]{22,64}$/.test(value['k']) ? { t: 'link', k: value['k'] } : undefined;
    case 'reaction':
      return REACTIONS.includes(value['emoji'] as Reaction) ? { t: 'reaction', emoji: value['emoji'] as Reaction } : undefined;
    default:
      return undefined;
  }
}

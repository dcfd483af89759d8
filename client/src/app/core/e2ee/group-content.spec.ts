import { parseContent, REACTIONS } from './group-content';

const encoded = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('group content', () => {
  it('reads chat, profiles with names and hands, and the known reactions', () => {
    expect(parseContent(encoded({ t: 'chat', text: 'hi' }))).toEqual({ t: 'chat', text: 'hi' });
    expect(parseContent(encoded({ t: 'profile', name: '  Ada ', hand: true }))).toEqual({ t: 'profile', name: 'Ada', hand: true });
    expect(parseContent(encoded({ t: 'profile', name: 'Ben' }))).toEqual({ t: 'profile', name: 'Ben', hand: false });
    for (const emoji of REACTIONS) expect(parseContent(encoded({ t: 'reaction', emoji }))).toEqual({ t: 'reaction', emoji });
  });

  it('drops anything malformed, oversized or unknown, so nothing else is ever shown', () => {
    for (const value of [
      'not json',
      'null',
      '42',
      { t: 'chat', text: 'x'.repeat(2001) },
      { t: 'chat' },
      { t: 'profile', name: 7 },
      { t: 'reaction', emoji: '💩' },
      { t: 'reaction', emoji: '<img src=x>' },
      { t: 'kick', peer: 'ada' },
    ]) {
      expect(parseContent(encoded(value)))
        .withContext(JSON.stringify(value))
        .toBeUndefined();
    }
  });

  it('keeps names to the protocol’s length', () => {
    const content = parseContent(encoded({ t: 'profile', name: 'A'.repeat(500), hand: 'yes' }));
    expect(content).toEqual({ t: 'profile', name: 'A'.repeat(64), hand: false });
  });
});

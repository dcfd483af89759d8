import { EN } from './strings';
import { DE } from './strings-de';
import { preferredLocale } from './i18n';

describe('i18n', () => {
  it('prefers the first language it has', () => {
    expect(preferredLocale(['de-AT', 'en'])).toBe('de');
    expect(preferredLocale(['fr-FR', 'en-GB', 'de'])).toBe('en');
    expect(preferredLocale(['fr-FR'])).toBe('en');
    expect(preferredLocale([])).toBe('en');
  });

  it('has every text in both languages', () => {
    expect(Object.keys(DE).sort()).toEqual(Object.keys(EN).sort());
    for (const strings of [EN, DE]) {
      for (const [key, value] of Object.entries(strings)) {
        if (typeof value === 'string') expect(value.trim()).withContext(key).not.toBe('');
      }
    }
    expect(EN.newMeeting).toBe('New meeting');
    expect(DE.newMeeting).toBe('Neues Meeting');
    expect(EN.join).toBe('Join');
    expect(DE.join).toBe('Beitreten');
  });
});

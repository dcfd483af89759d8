import { DOCUMENT } from '@angular/common';
import { computed, effect, inject, Injectable, signal } from '@angular/core';
import { EN, type Strings } from './strings';
import { DE } from './strings-de';

export type Locale = 'en' | 'de';

/** Picks German for German-speaking browsers, English otherwise. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const primary = language.toLowerCase().split('-')[0];
    if (primary === 'de') return 'de';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** The app's texts in the reader's language; `t()` is a signal, so views follow a switch. */
@Injectable({ providedIn: 'root' })
export class I18n {
  private readonly document = inject(DOCUMENT);
  readonly locale = signal<Locale>(preferredLocale(navigator.languages ?? [navigator.language]));
  readonly t = computed<Strings>(() => (this.locale() === 'de' ? DE : EN));

  constructor() {
    effect(() => this.document.documentElement.setAttribute('lang', this.locale()));
  }
}

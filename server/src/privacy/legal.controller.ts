import { Controller, Get, Header, Headers, Inject, Query } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { LEGAL_CSS, renderLegalPage } from './legal-page';
import { imprint, operatorComplete, privacyPolicy, type Language } from './legal-texts';

/** German for German-speaking browsers (or ?lang=de), English otherwise. */
export function pickLanguage(query: string | undefined, acceptLanguage: string | undefined): Language {
  if (query === 'de' || query === 'en') return query;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const primary = part.trim().split(/[-;]/)[0].toLowerCase();
    if (primary === 'de' || primary === 'en') return primary;
  }
  return 'en';
}

/** The privacy policy and the imprint, filled from the operator's configuration. */
@Controller()
export class LegalController {
  constructor(@Inject(RAUM_CONFIG) private readonly config: RaumConfig) {}

  @Get('privacy')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('Vary', 'Accept-Language')
  privacy(@Query('lang') lang: string | undefined, @Headers('accept-language') acceptLanguage: string | undefined): string {
    return this.render('/privacy', pickLanguage(lang, acceptLanguage));
  }

  @Get('imprint')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('Vary', 'Accept-Language')
  imprint(@Query('lang') lang: string | undefined, @Headers('accept-language') acceptLanguage: string | undefined): string {
    return this.render('/imprint', pickLanguage(lang, acceptLanguage));
  }

  @Get('legal.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  stylesheet(): string {
    return LEGAL_CSS;
  }

  private render(path: '/privacy' | '/imprint', language: Language): string {
    const { operator } = this.config;
    const page = path === '/privacy' ? privacyPolicy(operator, language) : imprint(operator, language);
    return renderLegalPage(page, language, path, operatorComplete(operator));
  }
}

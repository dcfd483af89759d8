import type { Language, LegalPage } from './legal-texts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

const OTHER = { de: { language: 'en', label: 'English' }, en: { language: 'de', label: 'Deutsch' } } as const;
const LABELS = {
  de: {
    back: 'Zur Startseite',
    privacy: 'Datenschutz',
    imprint: 'Impressum',
    incomplete: 'Der Betreiber dieses Servers hat seine Angaben noch nicht vollständig eingetragen.',
  },
  en: {
    back: 'To the start page',
    privacy: 'Privacy',
    imprint: 'Imprint',
    incomplete: 'The operator of this server has not yet filled in all of their details.',
  },
} as const;

/**
 * A legal page as plain HTML: no script at all, one stylesheet from this
 * server, so it works without JavaScript and under the strict CSP.
 */
export function renderLegalPage(page: LegalPage, language: Language, path: '/privacy' | '/imprint', complete: boolean): string {
  const labels = LABELS[language];
  const other = OTHER[language];
  const sections = page.sections
    .map(({ heading, paragraphs = [], items = [] }) => {
      const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('');
      const list = items.length > 0 ? `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : '';
      return `<section><h2>${escapeHtml(heading)}</h2>${body}${list}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)} – Raum</title>
<link rel="stylesheet" href="/legal.css">
</head>
<body>
<nav><a href="/">${labels.back}</a> · <a href="/privacy?lang=${language}">${labels.privacy}</a> · <a href="/imprint?lang=${language}">${labels.imprint}</a> · <a href="${path}?lang=${other.language}" hreflang="${other.language}" lang="${other.language}">${other.label}</a></nav>
<main>
<h1>${escapeHtml(page.title)}</h1>
${complete ? '' : `<p class="notice">${labels.incomplete}</p>\n`}${sections}
</main>
</body>
</html>
`;
}

export const LEGAL_CSS = `body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#14191f;background:#f6f7f9}
nav{padding:1rem 1.25rem;border-bottom:1px solid #cfd6de;background:#fff}
a{color:#2f6fdb}
main{max-width:44rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.75rem}
.notice{padding:.75rem 1rem;border-left:4px solid #c62f2f;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e8edf2;background:#11161c}nav,.notice{background:#1a2129;border-color:#36414d}a{color:#5b93f0}}
`;

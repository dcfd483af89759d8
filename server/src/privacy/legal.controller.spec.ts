import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';
import { pickLanguage } from './legal.controller';

describe('legal pages', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      RAUM_OPERATOR_NAME: 'Praxis <Dr.> Beispiel',
      RAUM_OPERATOR_ADDRESS: 'Hauptstraße 1\\n12345 Musterstadt',
      RAUM_OPERATOR_EMAIL: 'datenschutz@praxis.example',
      RAUM_HOSTING_LOCATION: 'Nürnberg, Deutschland',
    });
  });
  after(() => server.close());

  const get = (path: string, language?: string) =>
    fetch(`${server.httpUrl}${path}`, { headers: language ? { 'Accept-Language': language } : {} });

  it('renders the privacy policy in German and English from the operator’s configuration, without any script', async () => {
    const german = await (await get('/privacy', 'de-DE,de;q=0.9')).text();
    assert.match(german, /<html lang="de">/);
    assert.match(german, /Datenschutzerklärung/);
    assert.match(german, /Praxis &lt;Dr.&gt; Beispiel/, 'operator text is escaped');
    assert.match(german, /<p>Hauptstraße 1<\/p><p>12345 Musterstadt<\/p>/);
    assert.match(german, /Nürnberg, Deutschland/);
    assert.match(german, /keine Cookies/);
    assert.doesNotMatch(german, /<script/i);
    const english = await (await get('/privacy?lang=en', 'de')).text();
    assert.match(english, /<html lang="en">/);
    assert.match(english, /Privacy policy/);
    assert.match(english, /writes no access logs/);
  });

  it('renders the imprint and links both pages and the start page', async () => {
    const response = await get('/imprint', 'en');
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const page = await response.text();
    assert.match(page, /datenschutz@praxis\.example/);
    for (const link of ['href="/"', 'href="/privacy?lang=en"', 'href="/imprint?lang=de"', 'href="/legal.css"'])
      assert.ok(page.includes(link), link);
    assert.equal(response.headers.get('set-cookie'), null);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('says so when the operator has not filled in their details', async () => {
    const bare = await startTestServer();
    try {
      const page = await (await fetch(`${bare.httpUrl}/imprint?lang=de`)).text();
      assert.match(page, /noch nicht vollständig eingetragen/);
      assert.match(page, /\(noch nicht eingetragen\)/);
    } finally {
      await bare.close();
    }
  });

  it('picks the language from ?lang, then Accept-Language', () => {
    assert.equal(pickLanguage('de', 'en'), 'de');
    assert.equal(pickLanguage(undefined, 'fr-CH, de;q=0.8, en;q=0.5'), 'de');
    assert.equal(pickLanguage('xx', 'fr'), 'en');
  });
});

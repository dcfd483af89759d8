import { chromium } from '@playwright/test';
import flags from '../tools/chromium-flags.cjs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags });
const port = 18081;
function watch() {
  window.__marks = {};
  const origWS = window.WebSocket;
  window.WebSocket = class extends origWS { constructor(...a) { super(...a); window.__marks.ws = Date.now(); this.addEventListener('message', (e) => { const m = JSON.parse(e.data); if (m.type==='response') { window.__marks['r'+m.id] ??= Date.now(); } }); const send = this.send.bind(this); this.send = (d) => { const m = JSON.parse(d); window.__marks['q'+m.id+m.method] = Date.now(); send(d); }; } };
  window.__first = new Promise((resolve) => {
    const w = () => { for (const v of document.querySelectorAll('[data-tile="remote"] video')) { if (v.__w) continue; v.__w = true; window.__marks.videoEl ??= Date.now(); v.requestVideoFrameCallback(() => resolve(Date.now())); } };
    new MutationObserver(w).observe(document, { subtree: true, childList: true });
  });
}
for (let run = 0; run < 3; run++) {
  const room = `http://127.0.0.1:${port}/r/probe${run}${Date.now().toString(36)}aaaaaaaaaaaaaaaa`;
  const ctxs = [];
  for (const [i, name] of ['A','B','C'].entries()) {
    const context = await browser.newContext({ permissions: ['camera','microphone'] }); ctxs.push(context);
    await context.addInitScript(watch);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(room);
    const loaded = Date.now();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    const clicked = Date.now();
    if (i === 0) { await page.getByRole('button', { name: 'Leave' }).waitFor(); continue; }
    const first = await page.evaluate(() => window.__first);
    const marks = await page.evaluate(() => window.__marks);
    const rel = Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - t0]).sort((a, b) => a[1] - b[1]));
    console.log(name, 'loaded', loaded - t0, 'clicked', clicked - t0, 'first', first - t0, JSON.stringify(rel));
  }
  for (const c of ctxs) await c.close();
}
await browser.close();

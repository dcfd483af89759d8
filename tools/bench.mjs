// Benchmarks print figures; nothing here asserts a time.
//   join  median time from opening a room link to the first remote video frame,
//         for the 2nd and 3rd person in a room (real server, worker, Chromium)
//   size  the client's initial JavaScript, raw and gzip
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import CHROMIUM_ARGS from './chromium-flags.cjs';


function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function describe(label, values) {
  const median = quantile(values, 0.5);
  return `${label}: median ${median} ms, min ${Math.min(...values)} ms, p90 ${quantile(values, 0.9)} ms, max ${Math.max(...values)} ms (n=${values.length})`;
}

async function startServer(root, env, port) {
  const server = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: root,
    env: { ...env, RAUM_PORT: String(port), RAUM_RTC_PORT: String(port + 100), RAUM_WORKERS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => String(chunk).includes('Raum is running') && resolve());
    server.on('exit', () => reject(new Error('the server did not start')));
  });
  return server;
}

// Runs in the page before the app: resolves with the wall-clock time of the
// first frame presented by any remote tile's <video>.
function watchFirstRemoteFrame() {
  window.__firstRemoteFrame = new Promise((resolve) => {
    const watch = () => {
      for (const video of document.querySelectorAll('[data-tile="remote"] video')) {
        if (video.__watched) continue;
        video.__watched = true;
        video.requestVideoFrameCallback(() => resolve(Date.now()));
      }
    };
    new MutationObserver(watch).observe(document, { subtree: true, childList: true });
  });
}

async function benchJoin(root, env, runs = Number(process.env.RAUM_BENCH_RUNS ?? 10)) {
  const { chromium } = await import('@playwright/test');
  const port = 18500;
  const server = await startServer(root, env, port);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const times = { second: [], third: [] };
  try {
    for (let run = 0; run < runs; run++) {
      const room = `http://127.0.0.1:${port}/r/bench${run}${Date.now().toString(36)}aaaaaaaaaaaaaaaa`;
      const contexts = [];
      for (const [index, name] of ['Ada', 'Ben', 'Cem'].entries()) {
        const context = await browser.newContext({ locale: 'en-US', permissions: ['camera', 'microphone'] });
        contexts.push(context);
        await context.addInitScript(watchFirstRemoteFrame);
        const page = await context.newPage();
        const opened = Date.now();
        await page.goto(room);
        await page.getByLabel('Your name').fill(name);
        await page.getByRole('button', { name: 'Join', exact: true }).click();
        if (index === 0) {
          await page.getByRole('button', { name: 'Leave' }).waitFor();
          continue;
        }
        const firstFrame = await page.evaluate(() => window.__firstRemoteFrame);
        (index === 1 ? times.second : times.third).push(firstFrame - opened);
      }
      for (const context of contexts) await context.close();
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
  console.log('Time from opening the room link to the first remote video frame (loopback, fake camera):');
  console.log(describe('  2nd participant', times.second));
  console.log(describe('  3rd participant', times.third));
}

/** Static imports of an ES module chunk (not dynamic import()). */
function staticImports(code) {
  return [...code.matchAll(/import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)].map((match) => match[1]);
}

function benchSize(root) {
  const dir = join(root, 'dist', 'client', 'browser');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script src="([^"]+\.js)"/g)].map((match) => match[1]);
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    staticImports(readFileSync(join(dir, file), 'utf8')).forEach(visit);
  };
  entries.forEach(visit);
  const measure = (files) =>
    files.reduce(
      (sum, file) => {
        const bytes = readFileSync(join(dir, file));
        return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes, { level: 6 }).length };
      },
      { raw: 0, gzip: 0 },
    );
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const first = measure([...initial]);
  const serviceWorker = new Set(['ngsw-worker.js', 'safety-worker.js', 'worker-basic.min.js']);
  const all = measure(readdirSync(dir).filter((file) => file.endsWith('.js') && !serviceWorker.has(file)));
  console.log(`Initial client JavaScript (${initial.size} files): ${kb(first.raw)} raw, ${kb(first.gzip)} gzip`);
  console.log(`All client JavaScript, including the lazily loaded call code: ${kb(all.raw)} raw, ${kb(all.gzip)} gzip`);
}

export async function runBench(name, { root, env }) {
  if (name === 'join') return benchJoin(root, env);
  if (name === 'size') return benchSize(root);
  throw new Error('usage: bench join | size');
}

// Benchmarks print figures; nothing here asserts a time.
//   join  time from opening a room link to the first remote video frame, for the
//         2nd and 3rd person, end-to-end encrypted and not (e2e/bench/join.bench.ts)
//   e2ee  cipher time per frame and bitrate overhead (e2e/bench/e2ee.bench.ts)
//   soak  join/leave cycles through the protocol (RAUM_SOAK_CYCLES, default 1000) and the
//         server's memory growth; fails if its counts do not come back to zero, which
//         is a correctness check, not a time (e2e/bench/soak.bench.ts)
//   load  2,000 sockets that never join next to a 3-person call: the server's CPU and
//         memory, and the call's decoded frames, with and without them (e2e/bench/load.bench.ts)
//   recovery  how fast a call comes back from a silent network loss, a killed media
//         worker and a restart, and how long a drain takes (e2e/bench/recovery.bench.ts)
//   mls   MLS commit and Welcome processing at 5, 20 and 50 members, in the browser's
//         MLS worker (e2e/bench/mls.bench.ts)
//   layers  a phone in a 6-person call: bitrate received and frames decoded with the
//         layers its tiles ask for, against every tile in full (e2e/bench/layers.bench.ts)
//   sending  a 3-person call of laptops: each sender's encoder time, video bitrate sent
//         and frames encoded per layer, once the call has settled (e2e/bench/sending.bench.ts)
//   remove  a host removes someone: time until that person's keys decode nothing new
//         (e2e/bench/remove.bench.ts)
//   lobby   a host admits someone from the lobby: time until their first frame
//         (e2e/bench/lobby.bench.ts)
//   rtp   `npm run load`: rooms of browserless publishers and subscribers sending real
//         VP8 simulcast and Opus over DTLS-SRTP; loss, jitter and the worker's CPU per
//         forwarded stream (e2e/bench/rtp.bench.ts, e2e/load/)
//   signalling  5,000 protocol clients join 500 rooms: join path p50 and p99, server
//         memory per idle peer (e2e/bench/signalling.bench.ts)
//   bigroom  one room of 50 browserless participants spread over 2 media workers: loss,
//         the routers and pipes it took, each worker's CPU (e2e/bench/bigroom.bench.ts)
//   size  the client's initial JavaScript, raw and gzip
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

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

/** Benchmarks that need a server run as Playwright scripts, with the end-to-end tests' helpers. */
function benchInPlaywright(root, env, name) {
  const playwright = join(root, 'node_modules', '.bin', 'playwright');
  const result = spawnSync(playwright, ['test', '-c', 'e2e/bench.config.ts', `${name}.bench.ts`, '--reporter=line'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`the ${name} benchmark failed`);
}

const IN_PLAYWRIGHT = [
  'join',
  'e2ee',
  'mls',
  'soak',
  'load',
  'recovery',
  'layers',
  'sending',
  'remove',
  'lobby',
  'rtp',
  'signalling',
  'bigroom',
];

export async function runBench(name, { root, env }) {
  if (IN_PLAYWRIGHT.includes(name)) return benchInPlaywright(root, env, name);
  if (name === 'size') return benchSize(root);
  throw new Error(`usage: bench ${[...IN_PLAYWRIGHT, 'size'].join(' | ')}`);
}

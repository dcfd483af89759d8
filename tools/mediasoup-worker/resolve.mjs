// Finds or makes the mediasoup worker binary, in this order:
//   1. MEDIASOUP_WORKER_BIN, if set (an operator's own build);
//   2. the binary mediasoup's own install put in node_modules (a host that reaches GitHub);
//   3. our cached build for this mediasoup version and these build inputs;
//   4. mediasoup's own install, run now, if GitHub is reachable;
//   5. a build from mediasoup's sources against Debian packages (build.mjs), then cached.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorker } from './build.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** What compiling the worker needs on Debian 12 (its runtime libraries come with them). */
export const BUILD_PACKAGES = [
  'build-essential',
  'pkg-config',
  'meson',
  'ninja-build',
  'patch',
  'libuv1-dev',
  'libssl-dev',
  'libsrtp2-dev',
  'libabsl-dev',
  'libflatbuffers-dev',
  'flatbuffers-compiler',
];

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

/** Changes to the build recipe (everything here but this file) make a new cache entry. */
function inputsHash() {
  const hash = createHash('sha256');
  for (const file of files(here).filter((path) => path !== fileURLToPath(import.meta.url))) {
    hash.update(file.slice(here.length));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

function githubReachable() {
  const probe =
    "fetch('https://github.com',{method:'HEAD',signal:AbortSignal.timeout(4000)}).then(()=>process.exit(0),()=>process.exit(1))";
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
}

/** Where our build of this mediasoup version is kept, outside the work tree. */
export function cachedWorker(mediasoupDir) {
  const { version } = JSON.parse(readFileSync(join(mediasoupDir, 'package.json'), 'utf8'));
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return { version, path: join(cacheRoot, 'raum', 'mediasoup-worker', `${version}-${inputsHash()}`, 'mediasoup-worker') };
}

export function ensureWorker({ root, say, ensureDebianPackages, env }) {
  const configured = process.env.MEDIASOUP_WORKER_BIN;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`MEDIASOUP_WORKER_BIN is set to ${configured}, which does not exist`);
    return configured;
  }
  const mediasoupDir = join(root, 'node_modules', 'mediasoup');
  const own = join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  if (existsSync(own)) return own;
  const { version, path: cached } = cachedWorker(mediasoupDir);
  if (existsSync(cached)) return cached;
  if (githubReachable()) {
    say('fetching the mediasoup worker through mediasoup’s own install');
    spawnSync(process.execPath, ['npm-scripts.mjs', 'postinstall'], { cwd: mediasoupDir, env, stdio: 'inherit' });
    if (existsSync(own)) return own;
  }
  say(`building the mediasoup ${version} worker from source against Debian packages (once, about 10 minutes)`);
  ensureDebianPackages(BUILD_PACKAGES);
  buildWorker(mediasoupDir, cached, say);
  return cached;
}

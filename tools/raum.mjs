#!/usr/bin/env node
// The one entry point behind `npm start`, `npm test`, `npm run build` and the
// benchmarks. On a machine with only an older Node and npm it first sets up
// everything Raum needs: Node 24 (from the npm registry, into .tools/), the
// npm dependencies, Debian packages, and the mediasoup worker. Only Node's
// standard library is used here, since nothing else is installed yet.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWorker } from './mediasoup-worker/resolve.mjs';
import { writeUnit } from './systemd-unit.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_VERSION = '24.21.0';
const toolsDir = join(root, '.tools');
const nodeDir = join(toolsDir, 'node');

/**
 * Debian packages each command needs (the worker build's own come from
 * ensureWorker). The tests run coturn and nginx -t on the shipped
 * configurations, put clients into network namespaces (iproute2), call
 * between Chromium and Firefox ESR, and join two nodes through Redis.
 */
const PACKAGES = {
  start: [],
  build: [],
  test: ['chromium', 'firefox-esr', 'coturn', 'nginx-light', 'openssl', 'iproute2', 'redis-server'],
  bench: ['chromium'],
};

const say = (line) => process.stderr.write(`raum: ${line}\n`);

function nodeIsRecentEnough(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 15) || (major === 22 && minor >= 22);
}

/** Node 24 from the npm registry's node-linux-<arch> package, unpacked into .tools/node. */
function ensureNode24() {
  const binary = join(nodeDir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (process.platform !== 'linux' || !arch) throw new Error(`Node 24 must be installed by hand on ${process.platform}/${process.arch}`);
  say(`fetching Node ${NODE_VERSION} from the npm registry (once)`);
  mkdirSync(toolsDir, { recursive: true });
  const download = join(toolsDir, 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download);
  const tarball = execFileSync('npm', ['pack', `node-linux-${arch}@${NODE_VERSION}`, '--silent', '--pack-destination', download], {
    cwd: download,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['-xzf', join(download, tarball), '-C', download]);
  renameSync(join(download, 'package'), nodeDir);
  rmSync(download, { recursive: true, force: true });
  return binary;
}

/** Environment for every child: Node 24 first on PATH, native addons against its headers. */
function toolchainEnv(extra = {}) {
  const nodeBin = dirname(process.execPath);
  return {
    ...process.env,
    PATH: `${nodeBin}:${process.env.PATH}`,
    npm_config_nodedir: dirname(nodeBin),
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
    NG_CLI_ANALYTICS: 'false',
    ...extra,
  };
}

/** npm under the running Node: the npm that started us, else the one on PATH. */
function npm(args, options = {}) {
  const cli = process.env.npm_execpath;
  const [command, argv] = cli && cli.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', args];
  run(command, argv, options);
}

function run(command, args, { env = toolchainEnv(), cwd = root } = {}) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stats = statSync(path);
    if (!stats.isDirectory()) {
      newest = Math.max(newest, stats.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      newest = Math.max(newest, newestMtime([join(path, entry)]));
    }
  }
  return newest;
}

function ensureDependencies() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const manifests = [
    'package.json',
    'package-lock.json',
    'protocol/package.json',
    'server/package.json',
    'client/package.json',
    'e2e/package.json',
  ];
  if (existsSync(installed) && statSync(installed).mtimeMs >= newestMtime(manifests.map((file) => join(root, file)))) return;
  say('installing npm dependencies');
  npm([existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

/** Installs missing Debian packages with apt-get (as root, or through sudo). */
export function ensureDebianPackages(packages) {
  const missing = packages.filter((name) => {
    const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !status.stdout?.includes('install ok installed');
  });
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  say(`installing Debian packages: ${missing.join(' ')}`);
  const apt = (args) =>
    spawnSync(prefix[0] ?? 'apt-get', [...prefix.slice(1), ...(asRoot ? [] : ['apt-get']), ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (apt(['install', '-y', '-q', ...missing]).status !== 0) {
    apt(['update', '-q']);
    if (apt(['install', '-y', '-q', ...missing]).status !== 0) {
      throw new Error(`could not install ${missing.join(' ')}; install them with apt-get and run again`);
    }
  }
}

/** Builds protocol, server and client when their sources changed since the last build. */
function ensureBuild() {
  const stamp = join(root, 'dist', '.built');
  const sources = [
    'protocol/src',
    'server/src',
    'client/src',
    'client/public',
    'angular.json',
    'ngsw-config.json',
    'nest-cli.json',
    'tsconfig.base.json',
    'protocol/tsconfig.json',
    'server/tsconfig.json',
    'server/tsconfig.build.json',
    'client/tsconfig.app.json',
    'package-lock.json',
  ];
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(sources.map((path) => join(root, path)))) return;
  say('building protocol, server and client');
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  run(bin('tsc'), ['-p', 'protocol']);
  run(bin('nest'), ['build']);
  run(bin('ng'), ['build']);
  writeFileSync(stamp, new Date().toISOString());
}

function start(env) {
  const server = spawn(process.execPath, [join(root, 'dist', 'server', 'main.js')], { cwd: root, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(command, args) {
  if (!(command in PACKAGES)) {
    say(
      'usage: node tools/raum.mjs start | build | test | bench <join|e2ee|mls|soak|load|recovery|layers|sending|remove|lobby|rtp|signalling|bigroom|size>',
    );
    process.exit(2);
  }
  ensureDebianPackages(PACKAGES[command]);
  ensureDependencies();
  const workerBin = ensureWorker({ root, say, ensureDebianPackages, env: toolchainEnv() });
  const env = toolchainEnv({ MEDIASOUP_WORKER_BIN: workerBin });
  process.env.MEDIASOUP_WORKER_BIN = workerBin;
  ensureBuild();
  writeUnit({ root, node: process.execPath, worker: workerBin });
  if (command === 'start') return start(env);
  if (command === 'test') {
    const { runAllSuites } = await import('./test.mjs');
    process.exit(await runAllSuites({ root, env }));
  }
  if (command === 'bench') {
    const { runBench } = await import('./bench.mjs');
    return runBench(args[0], { root, env });
  }
}

const [command, ...args] = process.argv.slice(2);
if (!nodeIsRecentEnough(process.versions.node)) {
  // Re-run this same command under Node 24; the system Node stays as it is.
  let node;
  try {
    node = ensureNode24();
  } catch (error) {
    say(error.message);
    process.exit(1);
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  main(command, args).catch((error) => {
    say(error.message);
    process.exit(1);
  });
}

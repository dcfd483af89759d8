// Builds the mediasoup worker from the sources in mediasoup's npm package
// against Debian 12 system libraries, for hosts that cannot reach GitHub
// (mediasoup's own install downloads a prebuilt worker or its dependencies
// from there). See docs/OPERATING.md, "Building the SFU worker".
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync, renameSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Compiles mediasoup's `worker/` folder and copies the binary to `target`. */
export function buildWorker(mediasoupDir, target, log = (line) => process.stderr.write(`${line}\n`)) {
  const work = mkdtempSync(join(tmpdir(), 'raum-mediasoup-worker-'));
  try {
    const src = join(work, 'worker');
    cpSync(join(mediasoupDir, 'worker'), src, { recursive: true });
    // Without wrap files meson cannot download; our subprojects point at Debian's libraries.
    for (const name of readdirSync(join(src, 'subprojects'))) {
      if (name.endsWith('.wrap')) rmSync(join(src, 'subprojects', name));
    }
    cpSync(join(here, 'subprojects'), join(src, 'subprojects'), { recursive: true });
    execFileSync('patch', ['-p1', '--forward', '--quiet', '-i', join(here, 'worker.patch')], { cwd: src, stdio: 'inherit' });

    const pkgconfig = join(work, 'pkgconfig');
    mkdirSync(pkgconfig);
    writeFileSync(
      join(pkgconfig, 'unordered_dense.pc'),
      `Name: unordered_dense\nDescription: standard-container stand-in\nVersion: 4.0.0\nCflags: -I${join(here, 'include')}\n`,
    );
    const env = { ...process.env, PKG_CONFIG_PATH: [pkgconfig, process.env.PKG_CONFIG_PATH].filter(Boolean).join(':') };

    log('mediasoup worker: configuring (meson)');
    run('meson', ['setup', '--wrap-mode=nodownload', '--buildtype=release', 'out'], src, env);
    log(`mediasoup worker: compiling on ${cpus().length} cores (takes several minutes once; the result is cached)`);
    run('ninja', ['-C', 'out', `-j${cpus().length}`, 'mediasoup-worker'], src, env);

    mkdirSync(dirname(target), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    copyFileSync(join(src, 'out', 'mediasoup-worker'), partial);
    renameSync(partial, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a build step quietly; on failure its whole output is shown, then it throws. */
function run(command, args, cwd, env) {
  try {
    execFileSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    throw new Error(`mediasoup worker build failed at: ${command} ${args.join(' ')}`, { cause: error });
  }
}

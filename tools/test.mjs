// Runs every test suite and ends with one line: "N passed, N failed".
//   lint    ESLint (zero warnings) and Prettier over the whole repository
//   types   tsc over what no bundler type-checks: protocol, server and e2e code with their tests
//   server  node:test — protocol and server, against a real mediasoup worker
//   client  Karma + Jasmine in headless Chromium
//   e2e     Playwright: real Chromium pages, real server, real worker
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function runCommand(command, args, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs commands one after another; each is one check that passes or fails. */
async function checks(commands, { root, env }) {
  const outcome = { code: 0, passed: 0, failed: 0 };
  for (const [tool, ...args] of commands) {
    process.stdout.write(`${tool} ${args.join(' ')}\n`);
    const code = await runCommand(join(root, 'node_modules', '.bin', tool), args, { cwd: root, env });
    if (code === 0) outcome.passed++;
    else outcome.failed++;
  }
  return outcome;
}

const suites = [
  {
    name: 'lint',
    run: (context) =>
      checks(
        [
          ['eslint', '--max-warnings', '0', '.'],
          ['prettier', '--check', '.'],
        ],
        context,
      ),
  },
  {
    name: 'types',
    run: (context) =>
      checks(
        ['protocol/tsconfig.spec.json', 'server/tsconfig.json', 'e2e/tsconfig.json'].map((project) => ['tsc', '--noEmit', '-p', project]),
        context,
      ),
  },
  {
    name: 'server',
    async run({ root, env, results }) {
      const tap = join(results, 'server.tap');
      const code = await runCommand(
        process.execPath,
        [
          '--require',
          '@swc-node/register',
          '--test',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=tap',
          `--test-reporter-destination=${tap}`,
          'protocol/src/**/*.spec.ts',
          'server/src/**/*.spec.ts',
        ],
        { cwd: root, env: { ...env, SWC_NODE_PROJECT: join(root, 'server', 'tsconfig.json') } },
      );
      const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
      const count = (label) => Number(text.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
      return { code, passed: count('pass'), failed: count('fail') + count('cancelled') };
    },
  },
  {
    name: 'client',
    async run({ root, env, results }) {
      const counts = join(results, 'client.json');
      const code = await runCommand(join(root, 'node_modules', '.bin', 'ng'), ['test', '--watch=false'], {
        cwd: root,
        env: { ...env, CHROME_BIN: '/usr/bin/chromium', RAUM_KARMA_COUNTS: counts },
      });
      return { code, ...(readJson(counts) ?? { passed: 0, failed: 0 }) };
    },
  },
  {
    name: 'e2e',
    async run({ root, env, results }) {
      const report = join(results, 'e2e.json');
      const code = await runCommand(
        join(root, 'node_modules', '.bin', 'playwright'),
        ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'],
        {
          cwd: root,
          env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
        },
      );
      const stats = readJson(report)?.stats ?? {};
      return { code, passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed: stats.unexpected ?? 0 };
    },
  },
];

/** Runs the suites one after another (they share two cores); returns the exit code. */
export async function runAllSuites({ root, env, only = process.env.RAUM_TEST_SUITES?.split(',') }) {
  const results = join(root, 'test-results', 'suites');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const totals = { passed: 0, failed: 0 };
  const lines = [];
  for (const suite of suites.filter((candidate) => !only || only.includes(candidate.name))) {
    const started = Date.now();
    const outcome = await suite.run({ root, env, results });
    // A suite that failed without reporting a failing test still failed.
    const failed = outcome.failed + (outcome.code !== 0 && outcome.failed === 0 ? 1 : 0);
    totals.passed += outcome.passed;
    totals.failed += failed;
    lines.push(`${suite.name}: ${outcome.passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n${totals.passed} passed, ${totals.failed} failed\n`);
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

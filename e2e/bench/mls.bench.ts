import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@playwright/test';
import { quantile } from './figures';

const SIZES = [5, 20, 50];
const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 3);

/** The built MLS worker: the one worker file with MLS in it. */
function mlsWorkerFile(): string {
  const dir = join(__dirname, '..', '..', 'dist', 'client', 'browser');
  const file = readdirSync(dir).find((name) => name.startsWith('worker-') && readFileSync(join(dir, name), 'utf8').includes('mls10'));
  if (!file) throw new Error('no MLS worker in dist/client/browser: build first');
  return file;
}

interface Step {
  size: number;
  commitMs: number;
  processMs: number[];
  welcomeMs: number;
  commitBytes: number;
  welcomeBytes: number;
}

test('MLS in the browser: commit and Welcome processing at 5, 20 and 50 members', async ({ page }) => {
  await page.goto('/');
  const file = mlsWorkerFile();
  const runs: Step[][] = [];
  for (let run = 0; run < RUNS; run++) {
    // One worker per member, as in a real meeting each browser has its own; the member's own calls, timed.
    runs.push(
      await page.evaluate(
        async ({ url, sizes }) => {
          type Call = (method: string, ...args: unknown[]) => Promise<any>;
          const workers: Worker[] = [];
          const spawn = (): Call => {
            const worker = new Worker(url, { type: 'module' });
            workers.push(worker);
            const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
            let next = 0;
            worker.onmessage = ({ data }) => {
              const call = calls.get(data.id);
              calls.delete(data.id);
              if ('error' in data) call?.reject(new Error(data.error.message));
              else call?.resolve(data.result);
            };
            return (method, ...args) =>
              new Promise((resolve, reject) => {
                const id = next++;
                calls.set(id, { resolve, reject });
                worker.postMessage({ id, method, args });
              });
          };
          const secret = crypto.getRandomValues(new Uint8Array(16));
          const roomId = 'bench-room-0000000000000';
          const first = spawn();
          await first('init', secret, roomId, { peerId: 'p0', e2ee: true });
          await first('start');
          const members: Call[] = [first];
          const steps = [];
          for (let size = 2; size <= Math.max(...sizes); size++) {
            const joiner = spawn();
            const keyPackage = await joiner('init', secret, roomId, { peerId: `p${size - 1}`, e2ee: true });
            let started = performance.now();
            const proposal = await first('propose', [{ peerId: `p${size - 1}`, keyPackage }], []);
            const commitMs = performance.now() - started;
            await first('confirm');
            const measured = sizes.includes(size);
            const processMs: number[] = [];
            if (measured) {
              for (const member of members.slice(1)) {
                started = performance.now();
                await member('processCommit', proposal.commit);
                processMs.push(performance.now() - started);
              }
            } else {
              await Promise.all(members.slice(1).map((member) => member('processCommit', proposal.commit)));
            }
            started = performance.now();
            await joiner('join', proposal.welcome);
            const welcomeMs = performance.now() - started;
            members.push(joiner);
            if (measured) {
              steps.push({
                size,
                commitMs,
                processMs,
                welcomeMs,
                commitBytes: proposal.commit.length,
                welcomeBytes: proposal.welcome.length,
              });
            }
          }
          for (const worker of workers) worker.terminate();
          return steps;
        },
        { url: `/${file}`, sizes: SIZES },
      ),
    );
  }
  const median = (values: number[]) => quantile(values, 0.5).toFixed(1);
  const lines = [`MLS (ts-mls, suite 1) in Chromium's MLS worker, one worker per member, ${RUNS} runs; median ms:`];
  for (const size of SIZES) {
    const steps = runs.map((steps) => steps.find((step) => step.size === size)!);
    lines.push(
      `  ${size} members: create the Add commit ${median(steps.map((step) => step.commitMs))}, ` +
        `process it (each member, snapshot with all frame secrets) ${median(steps.flatMap((step) => step.processMs))}, ` +
        `join from the Welcome ${median(steps.map((step) => step.welcomeMs))}; ` +
        `commit ${steps[0].commitBytes} B, Welcome ${steps[0].welcomeBytes} B`,
    );
  }
  console.log(lines.join('\n'));
});

import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * Benchmarks: Playwright scripts that print figures and assert nothing about
 * time (`npm run bench:join`, `bench:e2ee`, `bench:mls`, `bench:soak`, `bench:load`, `bench:layers`,
 * `bench:recovery`). Same server and browser set-up as the end-to-end tests.
 */
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '*.bench.ts',
  outputDir: '../test-results/bench',
  timeout: 30 * 60_000,
});

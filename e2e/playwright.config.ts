import { defineConfig } from '@playwright/test';
import CHROMIUM_ARGS from '../tools/chromium-flags.cjs';

const port = Number(process.env.RAUM_E2E_PORT ?? 18080);
export const baseURL = `http://127.0.0.1:${port}`;

/**
 * Real Chromium (Debian's) with fake camera and microphone, against the real
 * built server with a real mediasoup worker. One test at a time: the
 * machine's two cores are the limit, not the SFU.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    browserName: 'chromium',
    locale: 'en-US',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    permissions: ['camera', 'microphone'],
    trace: 'off',
  },
  webServer: {
    command: 'node dist/server/main.js',
    cwd: '..',
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      RAUM_PORT: String(port),
      RAUM_RTC_PORT: process.env.RAUM_E2E_RTC_PORT ?? '18100',
      RAUM_WORKERS: '1',
      RAUM_HEALTH_DETAILS: 'true',
    },
  },
});

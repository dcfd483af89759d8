import type { NestExpressApplication } from '@nestjs/platform-express';
import { createRaumApp } from '../app';
import { PrivacyLogger } from '../common/privacy-logger';
import { loadConfig, type RaumConfig } from '../config/config';
import { freePort } from './free-port';

/** Server tests keep the SFU on loopback only (listen-infos.spec.ts covers the laptop default's second address). */
export async function testConfig(env: Record<string, string> = {}): Promise<RaumConfig> {
  return loadConfig({
    RAUM_WORKERS: '1',
    RAUM_PORT: '0',
    RAUM_RTC_LISTEN_IP: '127.0.0.1',
    RAUM_RTC_PORT: String(await freePort()),
    RAUM_HEALTH_DETAILS: 'true',
    ...env,
  });
}

export interface TestServer {
  readonly app: NestExpressApplication;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Everything the server printed through its logger. */
  readonly logged: string[];
  close(): Promise<void>;
}

/** The real server (real mediasoup worker), without the static client, on an ephemeral port. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const logged: string[] = [];
  const app = await createRaumApp(await testConfig(env), { client: false, logger: new PrivacyLogger((line) => logged.push(line)) });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    logged,
    httpUrl: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}/ws`,
    close: () => app.close(),
  };
}

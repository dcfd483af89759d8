import { test, type Browser } from '@playwright/test';
import { CLIENTS, createNetwork, launchIn, removeNetwork, SERVER_IP } from './network';
import { startCoturn, startRaum, type RaumProcess, type RunningProcess } from './processes';

export interface Isolated {
  readonly origin: string;
  readonly raum: RaumProcess;
  readonly turn: RunningProcess;
  /** One browser per client namespace (CLIENTS): different addresses, as on a real network. */
  readonly browsers: readonly Browser[];
}

export interface IsolatedOptions {
  readonly port: number;
  readonly rtcPort: number;
  readonly turnPort: number;
  readonly turnSecret: string;
  readonly env?: Record<string, string>;
}

/**
 * For the describe block it is called in: the test network, coturn with the
 * shipped configuration, and a Raum server of its own that uses it, all
 * torn down afterwards. Returns the running setup (available in the tests).
 */
export function isolatedServer({ port, rtcPort, turnPort, turnSecret, env = {} }: IsolatedOptions): () => Isolated {
  let setup: Isolated | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    createNetwork();
    const origin = `http://${SERVER_IP}:${port}`;
    const turn = await startCoturn({ ip: SERVER_IP, port: turnPort, secret: turnSecret });
    const raum = await startRaum(SERVER_IP, port, {
      RAUM_RTC_LISTEN_IP: SERVER_IP,
      RAUM_RTC_PORT: String(rtcPort),
      RAUM_TURN_SECRET: turnSecret,
      ...env,
    });
    setup = { origin, raum, turn, browsers: await Promise.all(CLIENTS.map((client) => launchIn(client, origin))) };
  });
  test.afterAll(async () => {
    for (const browser of setup?.browsers ?? []) await browser.close();
    await setup?.raum.stop();
    await setup?.turn.stop();
    removeNetwork();
  });
  return () => {
    if (!setup) throw new Error('the isolated server is not running');
    return setup;
  };
}

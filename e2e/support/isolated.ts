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
  readonly turnArgs?: readonly string[];
}

/**
 * For the describe block it is called in: the test network, coturn with the
 * shipped configuration, and a Raum server of its own that uses it, all
 * torn down afterwards. Returns the running setup (available in the tests).
 */
export function isolatedServer({ port, rtcPort, turnPort, turnSecret, env = {}, turnArgs }: IsolatedOptions): () => Isolated {
  let setup: Isolated | undefined;
  // Whatever started is stopped afterwards, even when a later step of the set-up failed.
  const started: Partial<{ -readonly [K in keyof Isolated]: Isolated[K] }> = {};
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    createNetwork();
    const origin = `http://${SERVER_IP}:${port}`;
    started.turn = await startCoturn({ ip: SERVER_IP, port: turnPort, secret: turnSecret, extraArgs: turnArgs });
    started.raum = await startRaum(SERVER_IP, port, {
      RAUM_RTC_LISTEN_IP: SERVER_IP,
      RAUM_RTC_PORT: String(rtcPort),
      RAUM_TURN_SECRET: turnSecret,
      ...env,
    });
    started.browsers = await Promise.all(CLIENTS.map((client) => launchIn(client, origin)));
    setup = { origin, raum: started.raum, turn: started.turn, browsers: started.browsers };
  });
  test.afterAll(async () => {
    for (const browser of started.browsers ?? []) await browser.close();
    await started.raum?.stop();
    await started.turn?.stop();
    removeNetwork();
  });
  return () => {
    if (!setup) throw new Error('the isolated server is not running');
    return setup;
  };
}

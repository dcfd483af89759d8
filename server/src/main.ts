import { ConfigError, loadConfig, type RaumConfig } from './config/config';
import { createRaumApp } from './app';
import { SignallingGateway } from './signalling/signalling.gateway';

function readConfig(): RaumConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
}

/** After the drain, the server's own shutdown gets this long. */
const CLOSE_TIMEOUT_MS = 5000;

async function main(): Promise<void> {
  const config = readConfig();
  const app = await createRaumApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
  process.stdout.write(`Raum is running at ${url.href}\n`);

  // SIGTERM (a deploy, systemd stop): calls go on for up to RAUM_DRAIN_S, then clients are sent away
  // to come back by themselves. SIGINT (Ctrl+C at a terminal) stops at once. A second signal, too.
  let stopping = false;
  const stop = async (drain: boolean) => {
    if (stopping) process.exit(0);
    stopping = true;
    if (drain) await app.get(SignallingGateway).drain();
    // Nobody is in a call any more: a keep-alive or half-open HTTP connection must not hold the exit
    // up, nor anything else for long.
    app.getHttpServer().closeAllConnections();
    setTimeout(() => process.exit(0), CLOSE_TIMEOUT_MS).unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop(true));
  process.on('SIGINT', () => void stop(false));
}

main().catch((error: unknown) => {
  process.stderr.write(`Raum could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

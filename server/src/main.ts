import { ConfigError, loadConfig, type RaumConfig } from './config/config';
import { createRaumApp } from './app';

function readConfig(): RaumConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await createRaumApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
  process.stdout.write(`Raum is running at ${url.href}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Raum could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

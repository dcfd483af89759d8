import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { AppModule } from './app.module';
import { PrivacyLogger } from './common/privacy-logger';
import type { RaumConfig } from './config/config';
import { serveClient } from './web/client-assets';
import { securityHeaders } from './web/security-headers';

/** Builds the whole server; `client: false` leaves out the static client (for tests). */
export async function createRaumApp(
  config: RaumConfig,
  { client = true, logger = new PrivacyLogger() }: { client?: boolean; logger?: PrivacyLogger } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false });
  app.disable('x-powered-by');
  // The adapter's own JSON routing is unused: the gateway decodes every message itself.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
  app.use(securityHeaders);
  if (client) serveClient(app, config.clientDir);
  app.enableShutdownHooks();
  return app;
}

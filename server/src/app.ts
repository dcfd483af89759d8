import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { PrivacyLogger } from './common/privacy-logger';
import type { RaumConfig } from './config/config';
import { Admission } from './signalling/admission';
import { RaumWsAdapter } from './signalling/ws-adapter';
import { serveClient } from './web/client-assets';
import { securityHeaders } from './web/security-headers';

/** Builds the whole server; `client: false` leaves out the static client (for tests). */
export async function createRaumApp(
  config: RaumConfig,
  { client = true, logger = new PrivacyLogger() }: { client?: boolean; logger?: PrivacyLogger } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false });
  app.disable('x-powered-by');
  app.useWebSocketAdapter(new RaumWsAdapter(app, app.get(Admission)));
  app.use(securityHeaders);
  if (client) serveClient(app, config.clientDir);
  return app;
}

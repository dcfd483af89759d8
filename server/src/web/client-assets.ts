import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Paths the client's router owns; each is answered with the app shell. */
const APP_ROUTES = /^\/(?:r\/[A-Za-z0-9_-]{1,64}\/?)?$/;

/** Hashed build outputs never change under their name. */
const IMMUTABLE = /\.[0-9A-Z]{8,}\.(?:js|css)$/;

/**
 * Serves the built client from the same origin as the WebSocket, so the page
 * needs no cross-origin request at all.
 */
export function serveClient(app: NestExpressApplication, clientDir: string): void {
  const index = join(clientDir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`the built client is missing (${index}); build it with "npm run build" or set RAUM_CLIENT_DIR`);
  }
  app.useStaticAssets(clientDir, {
    index: false,
    dotfiles: 'ignore',
    setHeaders: (response, path) => {
      response.setHeader('Cache-Control', IMMUTABLE.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !APP_ROUTES.test(request.path)) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}

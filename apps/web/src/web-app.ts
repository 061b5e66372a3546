import { dirname, join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import nunjucks from 'nunjucks';
import type { Logger } from 'pino';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { LOGGER, PinoNestLogger } from '@schoolbench/observability';

import { securityHeaders } from './security-headers.middleware';
import { addViewFilters } from './views/view-filters';
import { WebModule } from './web.module';

export interface WebAppOptions {
  /** Where the compiled stylesheet is (`npm run build` writes dist/apps/web/assets). */
  assetsDir?: string;
}

/** govuk-frontend's dist folder: its Nunjucks macros and static assets. */
export function govukFrontendDir(): string {
  return resolve(dirname(require.resolve('govuk-frontend')), '..');
}

/** Builds the web application (used by main.ts and by the browser tests). */
export async function createWebApp(options: WebAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(WebModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(new PinoNestLogger(app.get<Logger>(LOGGER)));
  app.enableShutdownHooks();
  app.set('trust proxy', 1);
  app.disable('x-powered-by');
  app.set('schoolbenchConfig', app.get<AppConfig>(APP_CONFIG));
  app.use(securityHeaders);
  // Forms only; uploads are multipart and parsed by their own handler.
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500 }));
  app.use(express.json({ limit: '50kb' }));
  const assetsDir = options.assetsDir ?? join(__dirname, '..', 'assets');
  app.use('/assets/app', express.static(assetsDir, { index: false, maxAge: '1h' }));
  const script = join(__dirname, 'assets', 'web.js');
  app.use('/assets/app/web.js', (_req: express.Request, res: express.Response) =>
    res.type('text/javascript').sendFile(script, { maxAge: '1h' }),
  );
  const env = nunjucks.configure([join(__dirname, 'views'), govukFrontendDir()], {
    autoescape: true,
    throwOnUndefined: false,
    express: app.getHttpAdapter().getInstance(),
  });
  addViewFilters(env);
  app.setViewEngine('njk');
  return app;
}

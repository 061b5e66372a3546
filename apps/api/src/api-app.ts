import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';

import { loadAppConfig, signingSecret } from '@schoolbench/config';
import { refuseHostileQueryParameters } from '@schoolbench/graphql';
import { LOGGER, PinoNestLogger } from '@schoolbench/observability';

import { ApiModule } from './api.module';

/** Builds the API application (used by main.ts and by the e2e tests). */
export async function createApiApp(): Promise<INestApplication> {
  const config = loadAppConfig();
  // Refuse to serve without a configured signing secret: there is no default to fall back on.
  signingSecret(config);
  const app = await NestFactory.create(ApiModule, { bufferLogs: true });
  app.useLogger(new PinoNestLogger(app.get<Logger>(LOGGER)));
  app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance() as { set(key: string, value: unknown): void };
  // X-Forwarded-For is believed only from the configured proxies; the sign-in throttle keys on
  // the address Express derives from it, so a client cannot choose its own.
  http.set('trust proxy', config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false);
  // Express hashes every body it sends for an ETag (SHA-1): wasted on GraphQL's POST answers,
  // and no client of the API revalidates with If-None-Match. No X-Powered-By either.
  http.set('etag', false);
  http.set('x-powered-by', false);
  app.use(refuseHostileQueryParameters);
  return app;
}

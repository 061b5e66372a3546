import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';

import { LOGGER, PinoNestLogger } from '@schoolbench/observability';

import { ApiModule } from './api.module';

/** Builds the API application (used by main.ts and by the e2e tests). */
export async function createApiApp(): Promise<INestApplication> {
  const app = await NestFactory.create(ApiModule, { bufferLogs: true });
  app.useLogger(new PinoNestLogger(app.get<Logger>(LOGGER)));
  app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance() as { set(key: string, value: unknown): void };
  // Behind one proxy in deployments; rate limits key on the client address it reports.
  http.set('trust proxy', 1);
  return app;
}

import '@schoolbench/config/require-supported-runtime';
import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';

import { exitUnlessServicesReachable, loadAppConfig, probesFor } from '@schoolbench/config';
import { LOGGER, PinoNestLogger } from '@schoolbench/observability';

import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  process.env.SCHOOLBENCH_SERVICE ??= 'worker';
  const config = loadAppConfig();
  await exitUnlessServicesReachable(probesFor(config));
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  logger.info('SchoolBench worker started');
  process.stdout.write('SchoolBench worker running\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

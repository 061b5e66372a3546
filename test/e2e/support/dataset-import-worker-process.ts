import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { DatasetImports } from '@schoolbench/datasets';

// The worker as deployed, in a process of its own that a test can kill.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../../apps/worker/src/worker.module';

/**
 * A worker that, once a stored import has written every row inside its transaction (not yet
 * committed), tells the parent and holds the transaction open until the parent kills it.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  await app.init();
  app.get(DatasetImports).checkpoint = async (phase, datasetId) => {
    if (phase !== 'publishing') return;
    process.send?.({ phase, datasetId });
    await new Promise(() => undefined);
  };
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { ComparisonRunner } from '@schoolbench/comparisons';

// The worker as deployed, in a process of its own that a test can kill.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../../apps/worker/src/worker.module';

/**
 * A worker that, once a run reaches its result transaction (groups inserted, not committed),
 * tells the parent and holds the transaction open until the parent kills the process.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  await app.init();
  app.get(ComparisonRunner).checkpoint = async (phase, runId) => {
    if (phase !== 'writing') return;
    process.send?.({ phase, runId });
    await new Promise(() => undefined);
  };
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

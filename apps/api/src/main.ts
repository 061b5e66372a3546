import '@schoolbench/config/require-supported-runtime';
import 'reflect-metadata';

import {
  exitUnlessServicesReachable,
  loadAppConfig,
  probesFor,
  signingSecret,
} from '@schoolbench/config';

import { createApiApp } from './api-app';

async function main(): Promise<void> {
  process.env.SCHOOLBENCH_SERVICE ??= 'api';
  const config = loadAppConfig();
  signingSecret(config);
  await exitUnlessServicesReachable(probesFor(config));
  const app = await createApiApp();
  await app.listen(config.PORT, config.HOST);
  const url = await app.getUrl();
  process.stdout.write(
    `SchoolBench API listening: GraphQL at ${url.replace('[::1]', 'localhost')}/graphql\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';

import {
  exitUnlessServicesReachable,
  exitUnlessSupportedRuntime,
  loadAppConfig,
  probesFor,
} from '@schoolbench/config';

import { createWebApp } from './web-app';

async function main(): Promise<void> {
  exitUnlessSupportedRuntime();
  process.env.SCHOOLBENCH_SERVICE ??= 'web';
  const config = loadAppConfig();
  await exitUnlessServicesReachable(probesFor(config));
  const app = await createWebApp();
  await app.listen(config.WEB_PORT, config.HOST);
  const url = await app.getUrl();
  process.stdout.write(`SchoolBench web listening at ${url.replace('[::1]', 'localhost')}/\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import {
  createCitusDatabase,
  createDatabase,
  ensureRoles,
  OWNER_ROLE,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';

import { adminUrl, templateDatabase, testDistribution, testRunId } from './lib/test-run';

/**
 * Once per jest run: a template database with every migration applied, as the owner role. Each
 * test file then clones it (`CREATE DATABASE … TEMPLATE`), which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.SCHOOLBENCH_TEST_RUN) return; // already done for another project of this run
  process.env.SCHOOLBENCH_TEST_RUN = testRunId();
  const distribution = testDistribution();
  await ensureRoles(adminUrl(), distribution);
  if (distribution === 'citus') {
    await createCitusDatabase(adminUrl(), templateDatabase(), OWNER_ROLE);
  } else {
    await createDatabase(adminUrl(), templateDatabase());
  }
  await runMigrations(
    withDatabase(adminUrl(), templateDatabase(), OWNER_ROLE),
    distribution,
    adminUrl(),
  );
}

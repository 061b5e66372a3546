import { dropCitusDatabase, dropDatabase, listDatabases } from '@schoolbench/database';

import { adminUrl, testDistribution, testRunId } from './lib/test-run';

/** Drops every database this run created, whatever happened to the test files. */
export default async function globalTeardown(): Promise<void> {
  if (!process.env.SCHOOLBENCH_TEST_RUN || process.env.SCHOOLBENCH_TEARDOWN_DONE) return;
  process.env.SCHOOLBENCH_TEARDOWN_DONE = '1';
  for (const name of await listDatabases(adminUrl(), testRunId())) {
    if (testDistribution() === 'citus') await dropCitusDatabase(adminUrl(), name);
    else await dropDatabase(adminUrl(), name);
  }
}

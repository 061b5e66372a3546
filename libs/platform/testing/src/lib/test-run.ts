import { randomBytes } from 'node:crypto';

import { databaseDistribution, type DatabaseDistribution } from '@schoolbench/database';

/** Names shared by everything one `jest` invocation creates, so teardown can find it all. */
export function testRunId(): string {
  const existing = process.env.SCHOOLBENCH_TEST_RUN;
  if (existing) return existing;
  return `sbtest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function adminUrl(): string {
  return process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function templateDatabase(): string {
  return `${testRunId()}_template`;
}

/**
 * `citus` when the run targets a Citus cluster (`npm run test:citus`: DATABASE_DISTRIBUTION=citus
 * and DATABASE_ADMIN_URL naming the coordinator): databases are then made on every node and the
 * template is distributed after migrating.
 */
export function testDistribution(): DatabaseDistribution {
  return databaseDistribution();
}

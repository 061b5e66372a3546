import { DataSource, DataSourceOptions } from 'typeorm';

import { citusShardCount, distributeSchema, type DatabaseDistribution } from './citus-distribution';
import { migrations } from './migrations';

/** Connection options shared by the services (app role) and the migration runner (owner role). */
export function dataSourceOptions(
  url: string,
  extra: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    ...extra,
  } as DataSourceOptions;
}

/**
 * Applies pending migrations as the owner role. Returns the names of those applied. On Citus the
 * schema is then distributed (idempotent: tables a migration added join their place), as the
 * superuser of `adminUrl` (its server; the owner URL's database).
 */
export async function runMigrations(
  ownerUrl: string,
  distribution: DatabaseDistribution = 'single-node',
  adminUrl?: string,
): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(ownerUrl));
  await dataSource.initialize();
  let applied: string[];
  try {
    applied = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
  if (distribution === 'citus') {
    if (!adminUrl)
      throw new Error('Distributing on Citus needs a superuser URL (DATABASE_ADMIN_URL)');
    const database = new URL(adminUrl);
    database.pathname = new URL(ownerUrl).pathname;
    await distributeSchema(database.toString(), { shardCount: citusShardCount() });
  }
  return applied;
}

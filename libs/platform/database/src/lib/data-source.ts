import { DataSource, DataSourceOptions } from 'typeorm';

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

/** Applies pending migrations as the owner role. Returns the names of those applied. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(ownerUrl));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

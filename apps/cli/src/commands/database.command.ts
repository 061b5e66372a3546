import type { Command } from 'commander';
import { Client } from 'pg';

import { loadAppConfig, redactUrl } from '@schoolbench/config';
import {
  createCitusDatabase,
  createDatabase,
  ensureRoles,
  OWNER_ROLE,
  runMigrations,
} from '@schoolbench/database';

/**
 * Creates the roles and the database (needs a superuser URL in DATABASE_ADMIN_URL). With
 * DATABASE_DISTRIBUTION=citus, on every node of the cluster whose coordinator the URL names.
 */
export async function provisionDatabase(): Promise<string> {
  const config = loadAppConfig();
  const name = new URL(config.DATABASE_URL).pathname.slice(1);
  await ensureRoles(config.DATABASE_ADMIN_URL, config.DATABASE_DISTRIBUTION);
  if (config.DATABASE_DISTRIBUTION === 'citus') {
    await createCitusDatabase(config.DATABASE_ADMIN_URL, name, OWNER_ROLE);
  } else {
    await createDatabase(config.DATABASE_ADMIN_URL, name);
  }
  return name;
}

export async function migrate(): Promise<string[]> {
  const config = loadAppConfig();
  return runMigrations(
    config.DATABASE_OWNER_URL,
    config.DATABASE_DISTRIBUTION,
    config.DATABASE_ADMIN_URL,
  );
}

/**
 * Refreshes the planner's statistics after a bulk load. Autovacuum would get there, but until it
 * does the first requests are planned as if the freshly loaded tables were empty. As the owner:
 * the app role may not ANALYZE, and ANALYZE samples every tenant's rows whatever their policies.
 */
export async function analyzeDatabase(): Promise<void> {
  const client = new Client({ connectionString: loadAppConfig().DATABASE_OWNER_URL });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

export function registerDatabaseCommands(program: Command): void {
  program
    .command('db:provision')
    .description('Create the owner and app roles and the database (as DATABASE_ADMIN_URL)')
    .action(async () => {
      const name = await provisionDatabase();
      process.stdout.write(
        `Database ${name} ready at ${redactUrl(loadAppConfig().DATABASE_URL)}\n`,
      );
    });

  program
    .command('migrate')
    .description('Apply pending migrations as the owner role (DATABASE_OWNER_URL)')
    .action(async () => {
      const applied = await migrate();
      process.stdout.write(
        applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations\n',
      );
    });
}

import type { Command } from 'commander';

import { loadAppConfig, redactUrl } from '@schoolbench/config';
import { createDatabase, ensureRoles, runMigrations } from '@schoolbench/database';

/** Creates the roles and the database (needs a superuser URL in DATABASE_ADMIN_URL). */
export async function provisionDatabase(): Promise<string> {
  const config = loadAppConfig();
  const name = new URL(config.DATABASE_URL).pathname.slice(1);
  await ensureRoles(config.DATABASE_ADMIN_URL);
  await createDatabase(config.DATABASE_ADMIN_URL, name);
  return name;
}

export async function migrate(): Promise<string[]> {
  return runMigrations(loadAppConfig().DATABASE_OWNER_URL);
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

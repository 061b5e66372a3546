import { Client } from 'pg';

import { CITUS_APP_ROLE_SETTINGS, type DatabaseDistribution } from './citus-distribution';
import { APP_ROLE, OWNER_ROLE, RETENTION_ROLE, SHARING_ROLE } from './database-roles';

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Refusing unsafe identifier: ${name}`);
  return `"${name}"`;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the owner and app roles if missing. Needs a superuser (or CREATEROLE) connection; run
 * once per cluster by `cli db:provision` and by the test setup. Safe to run concurrently.
 *
 * On Citus (run on the coordinator, in a database with the extension: Citus propagates CREATE and
 * ALTER ROLE to every node) the two definer roles must LOGIN: Citus reaches the workers' shards
 * over connections it opens as the current user, which inside a SECURITY DEFINER function is the
 * function's owner. Restrict them in pg_hba.conf to the coordinator's address (docs/scaling.md §9).
 */
export async function ensureRoles(
  adminUrl: string,
  distribution: DatabaseDistribution = 'single-node',
): Promise<void> {
  const definer = distribution === 'citus' ? 'LOGIN' : 'NOLOGIN';
  await withClient(adminUrl, async (client) => {
    for (const [role, attributes] of [
      [OWNER_ROLE, 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB'],
      [APP_ROLE, 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT'],
      [SHARING_ROLE, `${definer} NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB`],
      [RETENTION_ROLE, `${definer} NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB`],
    ] as const) {
      await client.query(`
        DO $$ BEGIN
          CREATE ROLE ${quoteIdent(role)} ${attributes};
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
          ALTER ROLE ${quoteIdent(role)} ${attributes};
        END $$`);
    }
    // Migrations hand the sharing functions to the sharing role, which needs the owner to be a member.
    await client.query(`GRANT ${quoteIdent(SHARING_ROLE)} TO ${quoteIdent(OWNER_ROLE)}`);
    await client.query(`GRANT ${quoteIdent(RETENTION_ROLE)} TO ${quoteIdent(OWNER_ROLE)}`);
    if (distribution === 'citus') {
      for (const statement of CITUS_APP_ROLE_SETTINGS) await client.query(statement);
    }
  });
}

/** Creates a database owned by the owner role, optionally as a copy of a template. */
export async function createDatabase(
  adminUrl: string,
  name: string,
  template?: string,
): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return;
    await client.query(
      `CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(OWNER_ROLE)}` +
        (template ? ` TEMPLATE ${quoteIdent(template)}` : ''),
    );
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}

export async function listDatabases(adminUrl: string, prefix: string): Promise<string[]> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like $1 || '%'",
      [prefix],
    );
    return result.rows.map((r) => r.datname);
  });
}

/** The same server URL pointing at another database and/or user. */
export function withDatabase(url: string, database: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the database runs: one PostgreSQL, or a Citus cluster (docs/scaling.md §9). */
export type Distribution = 'single-node' | 'citus';

/**
 * The statements that bind a transaction to its tenant (and acting user), ended by COMMIT or
 * ROLLBACK either way. On one node: a single `set_config(…, true)` statement, one round trip.
 * On Citus: `SET LOCAL`, one statement each, which Citus forwards by its text to the worker
 * connections of the transaction (`citus.propagate_set_commands = 'local'` on the app role), where
 * the shards' row-level security reads it; a function call such as `set_config` is never
 * forwarded. The ids are inlined (SET and multi-statement queries take no bind parameters), so
 * they are checked to be UUIDs first.
 */
export function tenantSettingSql(
  tenantId: string,
  userId?: string,
  distribution: Distribution = configuredDistribution(),
): string[] {
  if (!UUID.test(tenantId)) throw new Error(`Tenant id is not a UUID: ${JSON.stringify(tenantId)}`);
  if (userId && !UUID.test(userId)) {
    throw new Error(`User id is not a UUID: ${JSON.stringify(userId)}`);
  }
  const tenant = tenantId.toLowerCase();
  const user = (userId ?? '').toLowerCase();
  if (distribution === 'single-node') {
    return [
      `select set_config('app.tenant_id', '${tenant}', true), set_config('app.user_id', '${user}', true)`,
    ];
  }
  return [`SET LOCAL app.tenant_id = '${tenant}'`, `SET LOCAL app.user_id = '${user}'`];
}

let distribution: Distribution | undefined;

/**
 * DATABASE_DISTRIBUTION, validated with the rest of the configuration at start-up (app-config);
 * read here so that the tenancy primitives need no injected settings. Read once: a process serves
 * one database, and `process.env` is slow to read on every statement.
 */
export function configuredDistribution(): Distribution {
  distribution ??= process.env.DATABASE_DISTRIBUTION === 'citus' ? 'citus' : 'single-node';
  return distribution;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The statement that binds a transaction to its tenant (and acting user): `SET LOCAL`, which
 * PostgreSQL discards at COMMIT/ROLLBACK exactly like `set_config(…, true)`, and which Citus
 * forwards to the worker connections of the transaction (`citus.propagate_set_commands =
 * 'local'`, set on the app role), where the shards' row-level security reads it. A function
 * call such as `set_config` is never forwarded (docs/scaling.md §5.1). `SET` takes no bind
 * parameters, so the ids are checked to be UUIDs before they are inlined.
 */
export function tenantSettingSql(tenantId: string, userId?: string): string[] {
  if (!UUID.test(tenantId)) throw new Error(`Tenant id is not a UUID: ${JSON.stringify(tenantId)}`);
  if (userId && !UUID.test(userId)) {
    throw new Error(`User id is not a UUID: ${JSON.stringify(userId)}`);
  }
  // One statement each: Citus forwards a SET LOCAL by its statement text.
  return [
    `SET LOCAL app.tenant_id = '${tenantId.toLowerCase()}'`,
    `SET LOCAL app.user_id = '${(userId ?? '').toLowerCase()}'`,
  ];
}

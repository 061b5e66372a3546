/**
 * Sharing on Citus (docs/scaling.md §9.4). The grant policies run on the shards, and whatever
 * they read from there must be on that node: a read of a distributed table from inside a shard
 * query is a nested distributed execution, which fails as soon as it needs another node ("the
 * backend has already been assigned a transaction id"). So everything the policies read to decide
 * a grant is a reference table, a copy on every node: the compiled grants and reach (in
 * CITUS_REFERENCE_TABLES already) and, here, the protocols and their versions, which
 * `shared_record_reach` (targets and judgements) and `app_party_to_protocol` (signatures, events,
 * opt-outs) read. They are few and small; every party reads them anyway.
 */
export const CITUS_SHARING_REFERENCE_TABLES = ['protocols', 'protocol_versions'] as const;

/**
 * Run by `distributeSchema` before the tables are placed. A write to a reference table locks the
 * reference tables its foreign keys reach, as the writing role, and Citus checks that role may
 * modify them (`lock_shard_resources`): with `protocols → tenants`, signing or proposing a
 * protocol would need write rights on `tenants`, which neither the app role nor the sharing role
 * has or should have. The key goes; the tenant of a protocol is still the writer's own (RLS
 * `WITH CHECK`), and tenants are never deleted.
 */
export async function prepareSharingForCitus(db: {
  query(sql: string): Promise<unknown>;
}): Promise<void> {
  await db.query('ALTER TABLE protocols DROP CONSTRAINT IF EXISTS protocols_tenant_id_fkey');
}

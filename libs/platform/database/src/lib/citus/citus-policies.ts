import type { Client } from 'pg';

/**
 * Citus 13.2.2 copies a table's policies to its shards without `AS RESTRICTIVE`
 * (`CreatePolicyCommandForPolicy`, commands/policy.c, never reads the policy's `permissive`), so
 * on every shard a restrictive policy became one more permissive one, ORed with the tenant's own:
 * a partner's neighbour still named after revocation (`comparison_groups`), a stale run's
 * benchmarks served (`comparison_benchmarks`), a published dataset deletable, an opt-out of a
 * protocol one is not party to (docs/scaling.md §9.4). Each is re-created on every placement as
 * it is on the coordinator. A shard moved or split later gets Citus' copy again: `moveShards`
 * (`db:rebalance`) restores them after its moves, and `distributeSchema` (idempotent) does too.
 * Returns how many policies were restored.
 */
export async function restoreRestrictivePolicies(db: Client): Promise<number> {
  const policies = (
    await db.query<{ table: string; definition: string; name: string }>(`
      select c.oid::regclass::text as table, quote_ident(p.polname) as name,
             format('CREATE POLICY %s ON %%1$s AS RESTRICTIVE FOR %s TO %s%s%s',
               quote_ident(p.polname),
               case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                             when 'd' then 'DELETE' else 'ALL' end,
               case when p.polroles = '{0}' then 'PUBLIC'
                    else (select string_agg(quote_ident(r.rolname), ', ') from pg_roles r
                          where r.oid = any (p.polroles)) end,
               ' USING (' || replace(pg_get_expr(p.polqual, p.polrelid), '%', '%%') || ')',
               ' WITH CHECK (' || replace(pg_get_expr(p.polwithcheck, p.polrelid), '%', '%%') || ')'
             ) as definition
      from pg_policy p join pg_class c on c.oid = p.polrelid
      where not p.polpermissive
        and exists (select 1 from pg_dist_partition d where d.logicalrelid = p.polrelid)
      order by 1, 2`)
  ).rows;
  for (const p of policies) {
    const failed = (
      await db.query<{ nodeport: number; result: string }>(
        `select nodeport, result from run_command_on_placements($1::regclass, $2)
         where not success`,
        [p.table, `DROP POLICY IF EXISTS ${p.name} ON %1$s; ${p.definition}`],
      )
    ).rows;
    if (failed.length) {
      throw new Error(
        `Restoring the restrictive policy ${p.name} on the shards of ${p.table} failed: ${failed[0].result}`,
      );
    }
  }
  return policies.length;
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `retention_apply` (1764800001000-retention.ts) counted each kind's deleted rows per tenant with
 * `… FROM (per-tenant counts) t RIGHT JOIN (SELECT 1) one ON true`, so that a sweep that deleted
 * nothing still gave one row. Citus cannot plan an outer join of a modifying CTE's rows with a
 * constant subquery ("could not find valid entry for shard 0"), so on the cluster every sweep
 * failed. An aggregate without GROUP BY already gives one row over no rows (sum and
 * `jsonb_object_agg` are then null, hence the coalesces): same result on one node, and Citus runs
 * the DELETE as a subplan and the tally on the coordinator (docs/scaling.md §9.4). A period of 0
 * (kept for ever) skips its DELETE instead of making its WHERE false: Citus prunes every shard of
 * a constant-false modifying CTE and fails the same way.
 */
export class RetentionTallyWithoutOuterJoin1765700000100 implements MigrationInterface {
  name = 'RetentionTallyWithoutOuterJoin1765700000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(retentionApply(tally));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(retentionApply(tallyWithOuterJoin));
  }
}

/**
 * `part` := {"total": n, "by_tenant": {tenant: n}} of the rows a `DELETE … RETURNING tenant_id`
 * removed; nothing is deleted while `days` is 0.
 */
function tally(days: string, deletion: string): string {
  return `
        IF ${days} > 0 THEN
          WITH gone AS (${deletion} RETURNING tenant_id),
               per_tenant AS (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id)
          SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n), '{}'))
            INTO part FROM per_tenant;
        ELSE
          part := jsonb_build_object('total', 0, 'by_tenant', '{}'::jsonb);
        END IF;`;
}

function tallyWithOuterJoin(days: string, deletion: string): string {
  return `
        WITH gone AS (${deletion.replace('WHERE ', `WHERE ${days} > 0 AND `)} RETURNING tenant_id)
        SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n) FILTER (WHERE tenant_id IS NOT NULL), '{}'))
          INTO part FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) t RIGHT JOIN (SELECT 1) one ON true;`;
}

// CREATE OR REPLACE keeps the owner (the retention role) and the privileges.
function retentionApply(count: (days: string, deletion: string) => string): string {
  return `
      CREATE OR REPLACE FUNCTION retention_apply(p_access_log_days integer, p_failed_datasets_days integer,
                                                 p_finished_runs_days integer, p_expired_invitations_days integer)
      RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        removed jsonb := '{}';
        part jsonb;
      BEGIN
        IF least(p_access_log_days, p_failed_datasets_days, p_finished_runs_days, p_expired_invitations_days) < 0 THEN
          RAISE EXCEPTION 'retention periods are days >= 0 (0 keeps for ever)' USING ERRCODE = 'invalid_parameter_value';
        END IF;
${count('p_access_log_days', `DELETE FROM access_log WHERE at < now() - make_interval(days => p_access_log_days)`)}
        removed := removed || jsonb_build_object('access_log', part);

        -- Observations, area observations and upload chunks go with their dataset (ON DELETE CASCADE).
${count(
  'p_failed_datasets_days',
  `DELETE FROM datasets WHERE status = 'failed'
            AND created_at < now() - make_interval(days => p_failed_datasets_days)`,
)}
        removed := removed || jsonb_build_object('failed_datasets', part);

        -- Groups and benchmarks go with their run (ON DELETE CASCADE).
${count(
  'p_finished_runs_days',
  `DELETE FROM comparison_runs
            WHERE status IN ('completed', 'failed', 'cancelled')
            AND coalesce(finished_at, created_at) < now() - make_interval(days => p_finished_runs_days)`,
)}
        removed := removed || jsonb_build_object('finished_runs', part);

        -- A user who never accepted an invitation that expired: nothing else refers to them.
${count(
  'p_expired_invitations_days',
  `DELETE FROM users u WHERE u.password_hash IS NULL
            AND u.invitation_expires_at < now() - make_interval(days => p_expired_invitations_days)
            AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.tenant_id = u.tenant_id AND k.created_by = u.id)`,
)}
        removed := removed || jsonb_build_object('expired_invitations', part);

        INSERT INTO retention_runs (settings, removed) VALUES (
          jsonb_build_object('access_log_days', p_access_log_days, 'failed_datasets_days', p_failed_datasets_days,
                             'finished_runs_days', p_finished_runs_days,
                             'expired_invitations_days', p_expired_invitations_days),
          removed);
        RETURN removed;
      END $fn$;
  `;
}

import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, RETENTION_ROLE } from '../database-roles';

/**
 * Retention (docs/operations.md, "Retention"): `retention_apply` deletes, across every tenant,
 * what is older than each configured period — access-log entries, failed datasets, finished
 * comparison runs with their groups and benchmarks, users whose invitation expired unused — and
 * records what it removed in `retention_runs`, a platform table the operator reads. It runs as the
 * retention role (the app role has no DELETE on the append-only tables, and must not get it).
 */
export class Retention1764800001000 implements MigrationInterface {
  name = 'Retention1764800001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE retention_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ran_at timestamptz NOT NULL DEFAULT now(),
        -- The periods applied, in days (0: kept for ever).
        settings jsonb NOT NULL,
        -- Rows removed per kind, and per tenant: {"access_log": {"total": n, "by_tenant": {…}}, …}
        removed jsonb NOT NULL
      );
      GRANT SELECT ON retention_runs TO ${APP_ROLE};

      CREATE FUNCTION retention_apply(p_access_log_days integer, p_failed_datasets_days integer,
                                      p_finished_runs_days integer, p_expired_invitations_days integer)
      RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        removed jsonb := '{}';
        part jsonb;
      BEGIN
        IF least(p_access_log_days, p_failed_datasets_days, p_finished_runs_days, p_expired_invitations_days) < 0 THEN
          RAISE EXCEPTION 'retention periods are days >= 0 (0 keeps for ever)' USING ERRCODE = 'invalid_parameter_value';
        END IF;

        WITH gone AS (
          DELETE FROM access_log WHERE p_access_log_days > 0 AND at < now() - make_interval(days => p_access_log_days)
          RETURNING tenant_id)
        SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n) FILTER (WHERE tenant_id IS NOT NULL), '{}'))
          INTO part FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) t RIGHT JOIN (SELECT 1) one ON true;
        removed := removed || jsonb_build_object('access_log', part);

        -- Observations, area observations and upload chunks go with their dataset (ON DELETE CASCADE).
        WITH gone AS (
          DELETE FROM datasets WHERE p_failed_datasets_days > 0 AND status = 'failed'
            AND created_at < now() - make_interval(days => p_failed_datasets_days)
          RETURNING tenant_id)
        SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n) FILTER (WHERE tenant_id IS NOT NULL), '{}'))
          INTO part FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) t RIGHT JOIN (SELECT 1) one ON true;
        removed := removed || jsonb_build_object('failed_datasets', part);

        -- Groups and benchmarks go with their run (ON DELETE CASCADE).
        WITH gone AS (
          DELETE FROM comparison_runs WHERE p_finished_runs_days > 0
            AND status IN ('completed', 'failed', 'cancelled')
            AND coalesce(finished_at, created_at) < now() - make_interval(days => p_finished_runs_days)
          RETURNING tenant_id)
        SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n) FILTER (WHERE tenant_id IS NOT NULL), '{}'))
          INTO part FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) t RIGHT JOIN (SELECT 1) one ON true;
        removed := removed || jsonb_build_object('finished_runs', part);

        -- A user who never accepted an invitation that expired: nothing else refers to them.
        WITH gone AS (
          DELETE FROM users u WHERE p_expired_invitations_days > 0 AND u.password_hash IS NULL
            AND u.invitation_expires_at < now() - make_interval(days => p_expired_invitations_days)
            AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.tenant_id = u.tenant_id AND k.created_by = u.id)
          RETURNING tenant_id)
        SELECT jsonb_build_object('total', coalesce(sum(n), 0), 'by_tenant', coalesce(jsonb_object_agg(tenant_id, n) FILTER (WHERE tenant_id IS NOT NULL), '{}'))
          INTO part FROM (SELECT tenant_id, count(*) AS n FROM gone GROUP BY tenant_id) t RIGHT JOIN (SELECT 1) one ON true;
        removed := removed || jsonb_build_object('expired_invitations', part);

        INSERT INTO retention_runs (settings, removed) VALUES (
          jsonb_build_object('access_log_days', p_access_log_days, 'failed_datasets_days', p_failed_datasets_days,
                             'finished_runs_days', p_finished_runs_days,
                             'expired_invitations_days', p_expired_invitations_days),
          removed);
        RETURN removed;
      END $fn$;
    `);
    await db.query(`
      GRANT USAGE, CREATE ON SCHEMA public TO ${RETENTION_ROLE};
      GRANT SELECT, DELETE ON retention_runs TO ${RETENTION_ROLE};
      GRANT INSERT ON retention_runs TO ${RETENTION_ROLE};
      ALTER FUNCTION retention_apply(integer, integer, integer, integer) OWNER TO ${RETENTION_ROLE};
      REVOKE ALL ON FUNCTION retention_apply(integer, integer, integer, integer) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION retention_apply(integer, integer, integer, integer) TO ${APP_ROLE};
      REVOKE CREATE ON SCHEMA public FROM ${RETENTION_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP FUNCTION retention_apply(integer, integer, integer, integer);
      DROP TABLE retention_runs;
    `);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

import { body as withheldCellsInSql } from './1765560000001-withheld-cells-by-school';

/**
 * The functions that every request of the API's hot paths calls become PL/pgSQL, with the same
 * queries, owners, security and privileges (CREATE OR REPLACE keeps them): the three that the
 * row-level security policies call on every read of groups, benchmarks, schools and runs, and the
 * two definer functions that every observation read calls for partners' current datasets and
 * withheld cells. A SQL function that cannot be inlined (these read tables; definer functions
 * never are) is planned again in every statement that calls it; PL/pgSQL keeps its plan for the
 * connection. On the bench's nested headteacher query the run check and the benchmarks'
 * `run_not_stale` policy spent about 0.3 ms each planning `app_run_lost_grant`; on the analyst's
 * list query `shared_withheld_cells` took 1.4 ms with no row to return, 0.04 ms once its plan was
 * kept (docs/performance.md). On Citus every such SQL function was already rewritten so
 * (docs/scaling.md §9.4).
 */
export class RequestPathFunctionsInPlpgsql1765700000400 implements MigrationInterface {
  name = 'RequestPathFunctionsInPlpgsql1765700000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION app_public_tenant() RETURNS uuid
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
      BEGIN
        RETURN (SELECT id FROM tenants WHERE kind = 'public');
      END
      $fn$;

      CREATE OR REPLACE FUNCTION app_named_reach(p_owner uuid, p_urn integer) RETURNS boolean
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
      BEGIN
        RETURN EXISTS (SELECT 1 FROM sharing_reach r
                       WHERE r.tenant_id = p_owner AND r.urn = p_urn
                         AND r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
                         AND current_date BETWEEN r.valid_from AND r.valid_to);
      END
      $fn$;

      CREATE OR REPLACE FUNCTION app_run_lost_grant(p_tenant uuid, p_versions jsonb) RETURNS boolean
      LANGUAGE plpgsql STABLE AS $fn$
      BEGIN
        RETURN EXISTS (
          SELECT 1 FROM jsonb_array_elements(p_versions) AS dv(v)
          WHERE (dv.v->>'tenantId')::uuid <> p_tenant
            AND (dv.v->>'tenantId')::uuid IS DISTINCT FROM app_public_tenant()
            AND NOT EXISTS (SELECT 1 FROM sharing_grants g
                            WHERE g.tenant_id = (dv.v->>'tenantId')::uuid
                              AND g.grantee_tenant_id = p_tenant
                              AND g.disclosure = 'named'
                              AND current_date BETWEEN g.valid_from AND g.valid_to));
      END
      $fn$;

      CREATE OR REPLACE FUNCTION shared_current_datasets()
      RETURNS TABLE (tenant_id uuid, id uuid, published_at timestamptz)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 5 AS $fn$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
        SELECT d.tenant_id, d.id, d.published_at FROM datasets d
        WHERE d.is_current AND d.status = 'published'
          AND d.tenant_id IN (SELECT g.tenant_id FROM sharing_grants g
                              WHERE g.grantee_tenant_id = app_current_tenant() AND g.disclosure = 'named'
                                AND current_date BETWEEN g.valid_from AND g.valid_to);
      END
      $fn$;

      CREATE OR REPLACE FUNCTION shared_withheld_cells(p_urns integer[], p_measures text[], p_periods integer[], p_breakdowns text[])
      RETURNS TABLE (tenant_id uuid, dataset_id uuid, urn integer, measure varchar, time_period integer,
                     time_identifier varchar, breakdown varchar)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 10 AS $fn$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
        SELECT DISTINCT o.tenant_id, o.dataset_id, o.urn, o.measure, o.time_period, o.time_identifier, o.breakdown
        FROM sharing_reach r
        JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                             AND g.grantee_tenant_id = r.grantee_tenant_id
        JOIN observations o ON o.tenant_id = r.tenant_id AND o.urn = r.urn AND o.measure = g.measure
        JOIN datasets d ON d.tenant_id = o.tenant_id AND d.id = o.dataset_id AND d.is_current
        WHERE r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
          AND current_date BETWEEN r.valid_from AND r.valid_to
          AND (p_urns IS NULL OR r.urn = ANY (p_urns))
          AND (p_measures IS NULL OR g.measure = ANY (p_measures))
          AND o.time_period BETWEEN g.period_from AND g.period_to
          AND o.denominator < g.small_cohort_threshold
          AND (p_urns IS NULL OR o.urn = ANY (p_urns))
          AND (p_measures IS NULL OR o.measure = ANY (p_measures))
          AND (p_periods IS NULL OR o.time_period = ANY (p_periods))
          AND (p_breakdowns IS NULL OR o.breakdown = ANY (p_breakdowns))
          AND NOT EXISTS (
            SELECT 1 FROM sharing_reach r2
            JOIN sharing_grants g2 ON g2.tenant_id = r2.tenant_id AND g2.protocol_id = r2.protocol_id
                                  AND g2.grantee_tenant_id = r2.grantee_tenant_id
            WHERE r2.tenant_id = o.tenant_id AND r2.urn = o.urn AND r2.grantee_tenant_id = app_current_tenant()
              AND r2.disclosure = 'named' AND current_date BETWEEN r2.valid_from AND r2.valid_to
              AND g2.measure = o.measure AND o.time_period BETWEEN g2.period_from AND g2.period_to
              AND o.denominator >= g2.small_cohort_threshold);
      END
      $fn$;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    // The SQL bodies of 1763820000000, 1763850000000 and 1765560000001.
    await db.query(withheldCellsInSql(true));
    await db.query(`
      CREATE OR REPLACE FUNCTION shared_current_datasets()
      RETURNS TABLE (tenant_id uuid, id uuid, published_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 5 AS $fn$
        SELECT d.tenant_id, d.id, d.published_at FROM datasets d
        WHERE d.is_current AND d.status = 'published'
          AND d.tenant_id IN (SELECT g.tenant_id FROM sharing_grants g
                              WHERE g.grantee_tenant_id = app_current_tenant() AND g.disclosure = 'named'
                                AND current_date BETWEEN g.valid_from AND g.valid_to)
      $fn$;

      CREATE OR REPLACE FUNCTION app_public_tenant() RETURNS uuid
      LANGUAGE sql STABLE PARALLEL SAFE AS $fn$ SELECT id FROM tenants WHERE kind = 'public' $fn$;

      CREATE OR REPLACE FUNCTION app_named_reach(p_owner uuid, p_urn integer) RETURNS boolean
      LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
        SELECT EXISTS (SELECT 1 FROM sharing_reach r
                       WHERE r.tenant_id = p_owner AND r.urn = p_urn
                         AND r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
                         AND current_date BETWEEN r.valid_from AND r.valid_to)
      $fn$;

      CREATE OR REPLACE FUNCTION app_run_lost_grant(p_tenant uuid, p_versions jsonb) RETURNS boolean
      LANGUAGE sql STABLE AS $fn$
        SELECT EXISTS (
          SELECT 1 FROM jsonb_array_elements(p_versions) AS dv(v)
          WHERE (dv.v->>'tenantId')::uuid <> p_tenant
            AND (dv.v->>'tenantId')::uuid IS DISTINCT FROM app_public_tenant()
            AND NOT EXISTS (SELECT 1 FROM sharing_grants g
                            WHERE g.tenant_id = (dv.v->>'tenantId')::uuid AND g.grantee_tenant_id = p_tenant
                              AND g.disclosure = 'named'
                              AND current_date BETWEEN g.valid_from AND g.valid_to))
      $fn$;
    `);
  }
}

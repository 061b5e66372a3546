import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The three functions the row-level security policies call on every read of groups, benchmarks,
 * schools and runs become PL/pgSQL, with the same queries. A SQL function that cannot be inlined
 * (these read tables) is planned again in every statement that calls it; PL/pgSQL keeps its plan
 * for the connection. On the bench's nested headteacher query the run check and the benchmarks'
 * `run_not_stale` policy spent about 0.3 ms each planning `app_run_lost_grant` (docs/performance.md).
 * On Citus these functions were already rewritten so (docs/scaling.md §9.4); nothing else changes.
 */
export class PolicyFunctionsInPlpgsql1765700000400 implements MigrationInterface {
  name = 'PolicyFunctionsInPlpgsql1765700000400';

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
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    // The SQL bodies of 1763820000000 and 1763850000000.
    await db.query(`
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

import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, OWNER_ROLE, RETENTION_ROLE } from '../database-roles';

/**
 * An authority leaving (docs/sharing.md, "Leaving SchoolBench"): when its exit started, why, when
 * its rows may be deleted, and what the deletion removed. The tenant row itself stays as the
 * record that the authority existed, so other tenants' records that name it (their access log of
 * its reads, its signatures on their protocols) keep their meaning.
 *
 * `tenant_exit_delete` deletes every row with the tenant's `tenant_id` from every table the
 * catalog lists, children first, so tables added later are covered without editing it. It runs
 * as the exit role (BYPASSRLS, SELECT and DELETE on every table, also future ones through default
 * privileges) and refuses unless the exit was started and its retention period is over.
 */
export class TenantExit1764800000000 implements MigrationInterface {
  name = 'TenantExit1764800000000';

  async up(db: QueryRunner): Promise<void> {
    const [role] = (await db.query(
      `select exists (select 1 from pg_roles where rolname = '${RETENTION_ROLE}') as exists`,
    )) as { exists: boolean }[];
    if (!role?.exists) {
      throw new Error(
        `The database role ${RETENTION_ROLE} is missing: run "npm run cli -- db:provision" (it creates the roles) before migrating`,
      );
    }
    await db.query(`
      ALTER TABLE tenants
        ADD COLUMN exit_started_at timestamptz,
        ADD COLUMN exit_reason text,
        ADD COLUMN exit_delete_after timestamptz,
        ADD COLUMN exit_completed_at timestamptz,
        ADD COLUMN exit_deleted_rows jsonb,
        ADD CONSTRAINT tenants_exit_is_suspended CHECK (exit_started_at IS NULL OR status = 'suspended'),
        ADD CONSTRAINT tenants_exit_dates CHECK ((exit_started_at IS NULL) = (exit_delete_after IS NULL));
      GRANT UPDATE (exit_started_at, exit_reason, exit_delete_after) ON tenants TO ${APP_ROLE};

      CREATE FUNCTION tenant_exit_delete(p_tenant uuid) RETURNS jsonb
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        t tenants%ROWTYPE;
        pending text[];
        blocked text[];
        tbl text;
        n bigint;
        progressed boolean;
        deleted jsonb := '{}';
      BEGIN
        SELECT * INTO t FROM tenants WHERE id = p_tenant FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'tenant % not found', p_tenant USING ERRCODE = 'no_data_found';
        END IF;
        IF t.exit_started_at IS NULL THEN
          RAISE EXCEPTION 'the exit of % has not been started: nothing is deleted', t.name
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF t.exit_completed_at IS NOT NULL THEN
          RETURN t.exit_deleted_rows;
        END IF;
        IF t.exit_delete_after > now() THEN
          RAISE EXCEPTION 'the rows of % are kept until % (the exit''s retention period)', t.name, t.exit_delete_after
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname), '{}') INTO pending FROM pg_class c
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                      AND NOT a.attisdropped);
        -- Children before parents without a hand-kept order: a table whose rows are still
        -- referenced is retried after the others, until a pass deletes from none.
        LOOP
          blocked := '{}';
          progressed := false;
          FOREACH tbl IN ARRAY pending LOOP
            BEGIN
              EXECUTE format('DELETE FROM public.%I WHERE tenant_id = $1', tbl) USING p_tenant;
              GET DIAGNOSTICS n = ROW_COUNT;
              deleted := deleted || jsonb_build_object(tbl, n);
              progressed := true;
            EXCEPTION WHEN foreign_key_violation THEN
              blocked := blocked || tbl;
            END;
          END LOOP;
          EXIT WHEN cardinality(blocked) = 0;
          IF NOT progressed THEN
            RAISE EXCEPTION 'rows of % in % are still referenced by other rows', t.name, blocked;
          END IF;
          pending := blocked;
        END LOOP;
        UPDATE tenants SET exit_completed_at = now(), exit_deleted_rows = deleted WHERE id = p_tenant;
        RETURN deleted;
      END $fn$;
    `);
    await db.query(`
      GRANT USAGE, CREATE ON SCHEMA public TO ${RETENTION_ROLE};
      GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA public TO ${RETENTION_ROLE};
      GRANT UPDATE (exit_completed_at, exit_deleted_rows) ON tenants TO ${RETENTION_ROLE};
      ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public GRANT SELECT, DELETE ON TABLES TO ${RETENTION_ROLE};
      ALTER FUNCTION tenant_exit_delete(uuid) OWNER TO ${RETENTION_ROLE};
      REVOKE ALL ON FUNCTION tenant_exit_delete(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION tenant_exit_delete(uuid) TO ${APP_ROLE};
      REVOKE CREATE ON SCHEMA public FROM ${RETENTION_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP FUNCTION tenant_exit_delete(uuid);
      ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public REVOKE SELECT, DELETE ON TABLES FROM ${RETENTION_ROLE};
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${RETENTION_ROLE};
      REVOKE USAGE ON SCHEMA public FROM ${RETENTION_ROLE};
      ALTER TABLE tenants DROP CONSTRAINT tenants_exit_dates, DROP CONSTRAINT tenants_exit_is_suspended,
        DROP COLUMN exit_deleted_rows, DROP COLUMN exit_completed_at, DROP COLUMN exit_delete_after,
        DROP COLUMN exit_reason, DROP COLUMN exit_started_at;
    `);
  }
}

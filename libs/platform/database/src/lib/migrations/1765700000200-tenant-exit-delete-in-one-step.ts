import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE, RETENTION_ROLE } from '../database-roles';

/**
 * `tenant_exit_delete(tenant, now)`: the operator's "delete now" (moving `exit_delete_after` to
 * now) becomes part of the definer's step instead of an UPDATE by the app role before it. Citus
 * opens its connections per node and per user, so a `tenants` row locked or written by the app
 * role and then locked by the retention role in the same transaction were two backends of one
 * distributed transaction, the second waiting on the first: "canceling the transaction since it
 * was involved in a distributed deadlock" on every retention sweep that had an exit due
 * (docs/scaling.md §9.4). The app role now only reads before the call, and the row is read back
 * after the commit. On one node the rows deleted and the refusals are the same.
 */
export class TenantExitDeleteInOneStep1765700000200 implements MigrationInterface {
  name = 'TenantExitDeleteInOneStep1765700000200';

  async up(db: QueryRunner): Promise<void> {
    const body = await functionBody(db, 'tenant_exit_delete(uuid)');
    const locked = 'IF NOT FOUND THEN';
    if (!body.includes(locked))
      throw new Error('tenant_exit_delete has changed: rewrite this migration');
    await db.query(`
      CREATE FUNCTION tenant_exit_delete(p_tenant uuid, p_now boolean) RETURNS jsonb
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$${body.replace(
        /(RAISE EXCEPTION 'tenant % not found'[^;]*;\s*END IF;)/,
        `$1
        IF p_now AND t.exit_started_at IS NOT NULL AND t.exit_completed_at IS NULL THEN
          UPDATE tenants SET exit_delete_after = now() WHERE id = p_tenant;
          t.exit_delete_after := now();
        END IF;`,
      )}$fn$;
      GRANT UPDATE (exit_delete_after) ON tenants TO ${RETENTION_ROLE};
      -- Owning a function needs CREATE on its schema, for the moment of the change only.
      GRANT CREATE ON SCHEMA public TO ${RETENTION_ROLE};
      ALTER FUNCTION tenant_exit_delete(uuid, boolean) OWNER TO ${RETENTION_ROLE};
      REVOKE CREATE ON SCHEMA public FROM ${RETENTION_ROLE};
      REVOKE ALL ON FUNCTION tenant_exit_delete(uuid, boolean) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION tenant_exit_delete(uuid, boolean) TO ${APP_ROLE};
      DROP FUNCTION tenant_exit_delete(uuid);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    const body = await functionBody(db, 'tenant_exit_delete(uuid, boolean)');
    await db.query(`
      CREATE FUNCTION tenant_exit_delete(p_tenant uuid) RETURNS jsonb
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$${body.replace(
        /\s*IF p_now AND [\s\S]*?END IF;/,
        '',
      )}$fn$;
      GRANT CREATE ON SCHEMA public TO ${RETENTION_ROLE};
      ALTER FUNCTION tenant_exit_delete(uuid) OWNER TO ${RETENTION_ROLE};
      REVOKE CREATE ON SCHEMA public FROM ${RETENTION_ROLE};
      REVOKE ALL ON FUNCTION tenant_exit_delete(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION tenant_exit_delete(uuid) TO ${APP_ROLE};
      DROP FUNCTION tenant_exit_delete(uuid, boolean);
      REVOKE UPDATE (exit_delete_after) ON tenants FROM ${RETENTION_ROLE};
    `);
  }
}

async function functionBody(db: QueryRunner, signature: string): Promise<string> {
  const [row] = (await db.query(`select prosrc from pg_proc where oid = $1::regprocedure`, [
    signature,
  ])) as { prosrc: string }[];
  return row.prosrc;
}

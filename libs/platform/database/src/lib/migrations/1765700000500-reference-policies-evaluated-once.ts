import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose rows are read across tenants (own, public reference and partners' rows). */
const TABLES = ['schools', 'datasets', 'observations'];

/**
 * On the three tables read across tenants, the tenant and public-reference policies compare with
 * `(SELECT app_current_tenant())` and `(SELECT app_public_tenant())`: evaluated once per statement
 * (an InitPlan), as the other tables' policies already are, instead of two function calls per row.
 * A statement naming one tenant never paid for them (the planner folds the comparison into a
 * one-time filter); a join on a neighbour's or a dataset's tenant did, for every row: on the
 * bench's nested headteacher query the group read's school names took 0.55 ms to execute and
 * 0.24 ms after (docs/performance.md). Same rows: the functions are STABLE, so once per statement
 * is what they return anyway. On Citus, which refuses subqueries in policies, the distribution
 * step puts the function calls back (docs/scaling.md §9.4).
 */
export class ReferencePoliciesEvaluatedOnce1765700000500 implements MigrationInterface {
  name = 'ReferencePoliciesEvaluatedOnce1765700000500';

  async up(db: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await db.query(`
        ALTER POLICY tenant_isolation ON ${table}
          USING (tenant_id = (SELECT app_current_tenant()))
          WITH CHECK (tenant_id = (SELECT app_current_tenant()));
        ALTER POLICY public_reference_read ON ${table}
          USING (tenant_id = (SELECT app_public_tenant()));
      `);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await db.query(`
        ALTER POLICY tenant_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
        ALTER POLICY public_reference_read ON ${table} USING (tenant_id = app_public_tenant());
      `);
    }
  }
}

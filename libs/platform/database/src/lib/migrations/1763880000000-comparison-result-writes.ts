import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';

/**
 * Cheaper result rows for comparison runs, which a national run writes ~0.55 M of in one
 * transaction (docs/comparisons.md, "Measured"):
 * - A group member's feature shares become a float8 array in the order of its run's new
 *   `features` column, instead of a jsonb object repeating the feature names on every row
 *   (half the bytes per row, and no numeric conversion of each share).
 * - The tenant policies of the two result tables compare with `(SELECT app_current_tenant())`:
 *   an init plan evaluated once per statement rather than the plpgsql function once per row.
 *   Equally strict: the same rows pass, and it still raises when no tenant is set.
 * The sharing policies on these tables (`neighbour_still_shared`, `run_not_stale`) are untouched.
 */
export class ComparisonResultWrites1763880000000 implements MigrationInterface {
  name = 'ComparisonResultWrites1763880000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      -- The features of each member's feature_shares, in order (the method's columns; empty when
      -- the method reports no shares).
      ALTER TABLE comparison_runs ADD COLUMN features text[] NOT NULL DEFAULT '{}';
      GRANT UPDATE (features) ON comparison_runs TO ${APP_ROLE};

      -- Converting every tenant's rows needs the owner to pass RLS, for this transaction only
      -- (FORCE is back before it commits; nobody else sees the tables meanwhile).
      ALTER TABLE comparison_runs NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE comparison_groups NO FORCE ROW LEVEL SECURITY;

      -- Existing results: the run's features are its first member's keys; every member's shares
      -- follow that order (a missing key becomes NULL, as the object had no value for it).
      UPDATE comparison_runs r SET features = ARRAY(
        SELECT jsonb_object_keys(g.feature_shares) FROM (
          SELECT feature_shares FROM comparison_groups
          WHERE tenant_id = r.tenant_id AND run_id = r.id ORDER BY urn, rank LIMIT 1) g)
      WHERE EXISTS (SELECT 1 FROM comparison_groups g WHERE g.tenant_id = r.tenant_id AND g.run_id = r.id);

      ALTER TABLE comparison_groups ADD COLUMN shares float8[];
      UPDATE comparison_groups g SET shares = ARRAY(
        SELECT (g.feature_shares ->> f.name)::float8
        FROM comparison_runs r, unnest(r.features) WITH ORDINALITY AS f(name, position)
        WHERE r.tenant_id = g.tenant_id AND r.id = g.run_id ORDER BY f.position);
      ALTER TABLE comparison_groups DROP COLUMN feature_shares;
      ALTER TABLE comparison_groups RENAME COLUMN shares TO feature_shares;
      ALTER TABLE comparison_groups ALTER COLUMN feature_shares SET NOT NULL;

      ALTER TABLE comparison_runs FORCE ROW LEVEL SECURITY;
      ALTER TABLE comparison_groups FORCE ROW LEVEL SECURITY;
    `);
    for (const table of ['comparison_groups', 'comparison_benchmarks']) {
      await db.query(`
        DROP POLICY tenant_isolation ON ${table};
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = (SELECT app_current_tenant()))
          WITH CHECK (tenant_id = (SELECT app_current_tenant()));
      `);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['comparison_groups', 'comparison_benchmarks']) {
      await db.query(`
        DROP POLICY tenant_isolation ON ${table};
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = app_current_tenant())
          WITH CHECK (tenant_id = app_current_tenant());
      `);
    }
    await db.query(`
      ALTER TABLE comparison_runs NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE comparison_groups NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE comparison_groups ADD COLUMN shares jsonb;
      UPDATE comparison_groups g SET shares = coalesce((
        SELECT jsonb_object_agg(f.name, f.share)
        FROM comparison_runs r, unnest(r.features, g.feature_shares) AS f(name, share)
        WHERE r.tenant_id = g.tenant_id AND r.id = g.run_id AND f.name IS NOT NULL), '{}');
      ALTER TABLE comparison_groups DROP COLUMN feature_shares;
      ALTER TABLE comparison_groups RENAME COLUMN shares TO feature_shares;
      ALTER TABLE comparison_groups ALTER COLUMN feature_shares SET NOT NULL;
      ALTER TABLE comparison_runs DROP COLUMN features;
      ALTER TABLE comparison_runs FORCE ROW LEVEL SECURITY;
      ALTER TABLE comparison_groups FORCE ROW LEVEL SECURITY;
    `);
  }
}

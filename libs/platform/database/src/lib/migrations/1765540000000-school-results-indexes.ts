import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The school pages' "latest run of this school" lookups (docs/web.md §Speed): a school's
 * benchmarks and its group are found by tenant and URN over all of the tenant's runs, before the
 * run is known. The primary keys lead with the run, so each lookup read every result row of the
 * tenant (an all-schools run is ~15 rows a school, a national one ~0.5 M rows); these make it a
 * probe per school whatever the number of runs.
 */
export class SchoolResultsIndexes1765540000000 implements MigrationInterface {
  name = 'SchoolResultsIndexes1765540000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX comparison_benchmarks_by_school ON comparison_benchmarks (tenant_id, urn, run_id);
      CREATE INDEX comparison_groups_first_by_school ON comparison_groups (tenant_id, urn, run_id)
        WHERE rank = 1;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX comparison_groups_first_by_school;
      DROP INDEX comparison_benchmarks_by_school;
    `);
  }
}

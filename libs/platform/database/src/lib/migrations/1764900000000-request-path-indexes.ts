import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes and planner estimates for the read paths of one request (ADR 0040, docs/performance.md).
 *
 * - `observations_by_school`: a school's observations by tenant, URN, measure and period — the
 *   list and profile queries name the tenant (their datasets) and the schools; the measure-first
 *   index read every school's rows of a measure to find fifty.
 * - The sharing functions return a handful of rows (a reader's partners' current datasets, the
 *   withheld cells of one answer), not the planner's default 1000: that guess made the list
 *   query cost ~300k, enough to compile it with JIT (seconds) on every call.
 */
export class RequestPathIndexes1764900000000 implements MigrationInterface {
  name = 'RequestPathIndexes1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX observations_by_school ON observations (tenant_id, urn, measure, time_period);
      ALTER FUNCTION shared_current_datasets() ROWS 5;
      ALTER FUNCTION shared_withheld_cells(integer[], text[], integer[], text[]) ROWS 10;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER FUNCTION shared_withheld_cells(integer[], text[], integer[], text[]) ROWS 1000;
      ALTER FUNCTION shared_current_datasets() ROWS 1000;
      DROP INDEX observations_by_school;
    `);
  }
}

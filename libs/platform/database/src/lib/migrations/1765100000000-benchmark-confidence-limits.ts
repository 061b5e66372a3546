import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DfE's 95% confidence limits of the school's own value, for every measure the catalogue gives
 * them for (KS2 progress, Progress 8 and its elements, ...), stored with the benchmark the run
 * computed, so serving and progress bands use the limits of the data the run read. Nullable with
 * no default: adding them rewrites nothing, and rows of earlier runs keep null (served from the
 * observations as before).
 */
export class BenchmarkConfidenceLimits1765100000000 implements MigrationInterface {
  name = 'BenchmarkConfidenceLimits1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE comparison_benchmarks
        ADD COLUMN ci_lower double precision,
        ADD COLUMN ci_upper double precision,
        ADD CONSTRAINT comparison_benchmarks_ci_both_or_neither
          CHECK ((ci_lower IS NULL) = (ci_upper IS NULL)),
        ADD CONSTRAINT comparison_benchmarks_ci_ordered
          CHECK (ci_lower IS NULL OR ci_lower <= ci_upper);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE comparison_benchmarks DROP COLUMN ci_lower, DROP COLUMN ci_upper;
    `);
  }
}

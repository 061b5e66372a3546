import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The code a published file used for a value it did not give (`SUPP`, `NE`, `NA`, `NP`,
 * `LOWCOV`, `NEW`, an EES symbol, a legacy `:`), kept beside the EES symbol it was read as, so
 * that no distinction of the file is lost and an export can give it back. Only a suppressed
 * cell has one. Nullable with no default: adding it rewrites nothing, and observations stay
 * append-only for the app role (no UPDATE grant).
 */
export class ObservationSourceCode1764600000000 implements MigrationInterface {
  name = 'ObservationSourceCode1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE observations ADD COLUMN source_code varchar(16),
        ADD CONSTRAINT observations_source_code_only_when_suppressed
          CHECK (source_code IS NULL OR suppression IS NOT NULL);
      ALTER TABLE area_observations ADD COLUMN source_code varchar(16),
        ADD CONSTRAINT area_observations_source_code_only_when_suppressed
          CHECK (source_code IS NULL OR suppression IS NOT NULL);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE observations DROP COLUMN source_code;
      ALTER TABLE area_observations DROP COLUMN source_code;
    `);
  }
}

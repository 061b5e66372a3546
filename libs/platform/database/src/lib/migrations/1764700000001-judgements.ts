import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * The authority's record of its schools' inspection judgements and its own categorisation
 * ("school causing concern"), docs/targets.md §5. Append-only: a correction is a newer record;
 * the latest by date, then by when it was recorded, is the school's current judgement.
 */
export class Judgements1764700000001 implements MigrationInterface {
  name = 'Judgements1764700000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE school_judgements (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        urn integer NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('inspection', 'categorisation')),
        judgement varchar(40) NOT NULL,
        judged_on date NOT NULL,
        source varchar(200) NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_via varchar(8) NOT NULL CHECK (recorded_via IN ('api', 'csv')),
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, urn) REFERENCES schools (tenant_id, urn),
        FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
        CHECK (kind <> 'inspection'
          OR judgement IN ('outstanding', 'good', 'requires_improvement', 'inadequate')),
        CHECK (judgement ~ '^[a-z][a-z0-9_]{0,39}$')
      );
      CREATE INDEX school_judgements_latest
        ON school_judgements (tenant_id, urn, kind, judged_on DESC, recorded_at DESC);
    `);
    await enableTenantIsolation(db, 'school_judgements');
    await db.query(`GRANT SELECT, INSERT ON school_judgements TO ${APP_ROLE}`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE school_judgements`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * Baselines and targets (docs/targets.md) and each authority's benchmark settings. Targets are
 * an append-only history of events, like the access log: the app role may read and insert
 * them, never change or remove one; the current target is the latest `set` or `agreed` event.
 */
export class Targets1764700000000 implements MigrationInterface {
  name = 'Targets1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE benchmark_settings (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        -- Fewer group members with a value than this: no quartiles, percentile or rank (SPEC §8).
        min_group_n integer NOT NULL DEFAULT 5 CHECK (min_group_n BETWEEN 1 AND 100),
        -- RAG: amber within this margin below a target (percentage points / score points).
        amber_margin_percent double precision NOT NULL DEFAULT 2 CHECK (amber_margin_percent >= 0),
        amber_margin_score double precision NOT NULL DEFAULT 0.1 CHECK (amber_margin_score >= 0),
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id),
        FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (updated_by)
      );

      CREATE TABLE target_events (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        -- Null: the authority as a whole (the seeds' NI indicators).
        urn integer,
        measure varchar(80) NOT NULL,
        time_period integer NOT NULL,
        breakdown varchar(63) NOT NULL DEFAULT 'all',
        kind varchar(8) NOT NULL CHECK (kind IN ('target', 'baseline')),
        action varchar(8) NOT NULL CHECK (action IN ('set', 'proposed', 'agreed', 'returned')),
        value double precision NOT NULL,
        -- A baseline's value was taken from this period.
        baseline_period integer,
        -- An agreement or return answers one proposal, once.
        answers uuid,
        reason text,
        source varchar(8) NOT NULL CHECK (source IN ('api', 'csv')),
        actor_id uuid NOT NULL,
        actor_role varchar(20) NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, urn) REFERENCES schools (tenant_id, urn),
        FOREIGN KEY (tenant_id, answers) REFERENCES target_events (tenant_id, id),
        FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id),
        CHECK ((action IN ('agreed', 'returned')) = (answers IS NOT NULL)),
        CHECK (action <> 'returned' OR length(btrim(coalesce(reason, ''))) > 0),
        CHECK (kind = 'baseline' OR baseline_period IS NULL),
        CHECK (urn IS NOT NULL OR action = 'set'),
        CHECK (value = value AND value BETWEEN -1e9 AND 1e9)
      );
      CREATE INDEX target_events_by_key
        ON target_events (tenant_id, measure, time_period, urn, breakdown, kind, at DESC);
      CREATE UNIQUE INDEX target_events_one_answer ON target_events (tenant_id, answers)
        WHERE answers IS NOT NULL;
    `);
    for (const table of ['benchmark_settings', 'target_events']) {
      await enableTenantIsolation(db, table);
    }
    await db.query(`
      GRANT SELECT, INSERT, UPDATE ON benchmark_settings TO ${APP_ROLE};
      GRANT SELECT, INSERT ON target_events TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE target_events, benchmark_settings`);
  }
}

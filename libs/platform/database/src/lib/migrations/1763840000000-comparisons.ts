import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * Comparison runs (SPEC §8) and their results: each school's similar-school group and its
 * benchmarks. Results are written once, in the transaction that completes the run, so the app
 * role never needs to update or delete them. Result rows reference their run only: URNs are
 * recorded as the run saw them (a snapshot, like the dataset versions it read), and a per-row
 * check against the registers would double the time of writing a national run (~0.5 M rows).
 */
export class Comparisons1763840000000 implements MigrationInterface {
  name = 'Comparisons1763840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE comparison_runs (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        requested_by uuid,
        method varchar(80) NOT NULL,
        method_version integer NOT NULL CHECK (method_version > 0),
        -- The request as normalised (target, phase, period, k, features, weights, measures, population).
        parameters jsonb NOT NULL,
        -- Ids (with their tenant) of the dataset versions the run reads: what makes it recomputable.
        dataset_versions jsonb NOT NULL DEFAULT '[]',
        status varchar(16) NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        message text,
        error text,
        -- Set when the run was built on data the tenant may no longer read (a lost grant).
        stale boolean NOT NULL DEFAULT false,
        -- sha256 of method, version, parameters and dataset versions: equal keys, equal results.
        result_key char(64) NOT NULL,
        -- How many times a worker started it (retries, a worker lost mid-job).
        attempts integer NOT NULL DEFAULT 0,
        -- What the finished run found: population size, features used, schools left out and why.
        summary jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, requested_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (requested_by)
      );
      CREATE INDEX comparison_runs_recent ON comparison_runs (tenant_id, created_at DESC, id DESC);
      CREATE INDEX comparison_runs_reuse ON comparison_runs (tenant_id, result_key) WHERE status = 'completed';
      -- One run in flight per identical request: a second request joins the first.
      CREATE UNIQUE INDEX comparison_runs_one_in_flight ON comparison_runs (tenant_id, result_key)
        WHERE status IN ('queued', 'running');

      CREATE TABLE comparison_groups (
        tenant_id uuid NOT NULL,
        run_id uuid NOT NULL,
        urn integer NOT NULL,
        rank smallint NOT NULL CHECK (rank > 0),
        neighbour_urn integer NOT NULL,
        -- Whose data the neighbour came from (own, public reference, later a partner under a grant).
        neighbour_tenant_id uuid NOT NULL,
        distance double precision NOT NULL,
        feature_shares jsonb NOT NULL,
        PRIMARY KEY (tenant_id, run_id, urn, rank),
        FOREIGN KEY (tenant_id, run_id) REFERENCES comparison_runs (tenant_id, id) ON DELETE CASCADE
      );

      CREATE TABLE comparison_benchmarks (
        tenant_id uuid NOT NULL,
        run_id uuid NOT NULL,
        urn integer NOT NULL,
        measure varchar(80) NOT NULL,
        period integer NOT NULL,
        value double precision,
        suppression varchar(3) CHECK (suppression IN ('c', 'x', 'z', 'low', 'u')),
        group_n integer NOT NULL,
        median double precision,
        q1 double precision,
        q3 double precision,
        percentile_rank double precision,
        rank integer,
        rank_of integer,
        gap_to_median double precision,
        trend_slope double precision,
        trend_periods integer[] NOT NULL DEFAULT '{}',
        disadvantaged_gap double precision,
        group_disadvantaged_gap double precision,
        group_disadvantaged_n integer NOT NULL DEFAULT 0,
        expected_value double precision,
        residual double precision,
        -- Group members left out of the statistics: suppressed (any EES code) or not observed.
        suppressed_count integer NOT NULL DEFAULT 0,
        missing_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, run_id, urn, measure, period),
        FOREIGN KEY (tenant_id, run_id) REFERENCES comparison_runs (tenant_id, id) ON DELETE CASCADE,
        CHECK (value IS NULL OR suppression IS NULL)
      );
    `);
    for (const table of ['comparison_runs', 'comparison_groups', 'comparison_benchmarks']) {
      await enableTenantIsolation(db, table);
    }
    await db.query(`
      GRANT SELECT, INSERT ON comparison_runs, comparison_groups, comparison_benchmarks TO ${APP_ROLE};
      GRANT UPDATE (status, progress, message, error, stale, attempts, summary, started_at, finished_at)
        ON comparison_runs TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE comparison_benchmarks, comparison_groups, comparison_runs`);
  }
}

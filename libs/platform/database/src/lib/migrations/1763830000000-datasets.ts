import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * The common data format: dataset versions, observations (school level), area observations
 * (LA, regional and national summary rows), mapping profiles and queued uploads.
 */
export class Datasets1763830000000 implements MigrationInterface {
  name = 'Datasets1763830000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE datasets (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        -- What a corrected file replaces: the adapter and the periods it covers.
        series varchar(300) NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        file_name varchar(300) NOT NULL,
        content_hash char(64) NOT NULL,
        format varchar(80),
        status varchar(16) NOT NULL CHECK (status IN ('queued', 'importing', 'published', 'failed')),
        is_current boolean NOT NULL DEFAULT false,
        uploaded_by uuid,
        rows_read integer NOT NULL DEFAULT 0,
        observation_count integer NOT NULL DEFAULT 0,
        area_observation_count integer NOT NULL DEFAULT 0,
        school_count integer NOT NULL DEFAULT 0,
        error_count integer NOT NULL DEFAULT 0,
        warning_count integer NOT NULL DEFAULT 0,
        periods text[] NOT NULL DEFAULT '{}',
        report jsonb NOT NULL DEFAULT '{}',
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, content_hash),
        FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (uploaded_by)
      );
      CREATE UNIQUE INDEX datasets_one_current_per_series ON datasets (tenant_id, series) WHERE is_current;
      CREATE INDEX datasets_series ON datasets (tenant_id, series, version);

      CREATE TABLE observations (
        tenant_id uuid NOT NULL,
        dataset_id uuid NOT NULL,
        urn integer NOT NULL,
        measure varchar(80) NOT NULL,
        time_period integer NOT NULL,
        time_identifier varchar(20) NOT NULL,
        breakdown varchar(63) NOT NULL,
        value double precision,
        suppression varchar(3) CHECK (suppression IN ('c', 'x', 'z', 'low', 'u')),
        numerator double precision,
        denominator double precision,
        PRIMARY KEY (tenant_id, dataset_id, urn, measure, time_period, breakdown),
        FOREIGN KEY (tenant_id, dataset_id) REFERENCES datasets (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, urn) REFERENCES schools (tenant_id, urn),
        -- A value or a suppression code, never both, never neither: suppressed is not zero.
        CHECK ((value IS NULL) <> (suppression IS NULL))
      );
      CREATE INDEX observations_by_measure ON observations (tenant_id, measure, time_period, urn);

      CREATE TABLE area_observations (
        tenant_id uuid NOT NULL,
        dataset_id uuid NOT NULL,
        area_level varchar(20) NOT NULL,
        area_code varchar(20) NOT NULL,
        area_variant varchar(120) NOT NULL DEFAULT '',
        measure varchar(80) NOT NULL,
        time_period integer NOT NULL,
        time_identifier varchar(20) NOT NULL,
        breakdown varchar(63) NOT NULL,
        value double precision,
        suppression varchar(3) CHECK (suppression IN ('c', 'x', 'z', 'low', 'u')),
        PRIMARY KEY (tenant_id, dataset_id, area_level, area_code, area_variant, measure, time_period, breakdown),
        FOREIGN KEY (tenant_id, dataset_id) REFERENCES datasets (tenant_id, id) ON DELETE CASCADE,
        CHECK ((value IS NULL) <> (suppression IS NULL))
      );

      CREATE TABLE mapping_profiles (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        name varchar(200) NOT NULL,
        definition jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, name)
      );

      -- Files waiting for a worker: bytes in chunks, so any replica can pick the job up.
      CREATE TABLE dataset_upload_chunks (
        tenant_id uuid NOT NULL,
        dataset_id uuid NOT NULL,
        part varchar(8) NOT NULL CHECK (part IN ('data', 'meta')),
        seq integer NOT NULL,
        bytes bytea NOT NULL,
        PRIMARY KEY (tenant_id, dataset_id, part, seq),
        FOREIGN KEY (tenant_id, dataset_id) REFERENCES datasets (tenant_id, id) ON DELETE CASCADE
      );
    `);
    for (const table of [
      'datasets',
      'observations',
      'area_observations',
      'mapping_profiles',
      'dataset_upload_chunks',
    ]) {
      await enableTenantIsolation(db, table);
    }
    await db.query(`
      CREATE POLICY public_reference_read ON datasets FOR SELECT USING (tenant_id = app_public_tenant());
      CREATE POLICY public_reference_read ON observations FOR SELECT USING (tenant_id = app_public_tenant());
      CREATE POLICY public_reference_read ON area_observations FOR SELECT USING (tenant_id = app_public_tenant());
      GRANT SELECT, INSERT, UPDATE, DELETE ON datasets TO ${APP_ROLE};
      -- Only a failed import (which holds nothing but its report) is ever deleted.
      CREATE POLICY delete_failed_only ON datasets AS RESTRICTIVE FOR DELETE USING (status = 'failed');
      GRANT SELECT, INSERT ON observations, area_observations TO ${APP_ROLE};
      GRANT SELECT, INSERT, DELETE ON dataset_upload_chunks TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON mapping_profiles TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP TABLE dataset_upload_chunks, mapping_profiles, area_observations, observations, datasets`,
    );
  }
}

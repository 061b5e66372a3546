import { MigrationInterface, QueryRunner } from 'typeorm';

import { APP_ROLE } from '../database-roles';
import { enableTenantIsolation } from './1763820000000-foundation';

/**
 * An authority's export of everything it owns (issue 15, ADR 0081): the request and its progress,
 * the archive in 1 MiB chunks until it is downloaded or expires (the database, like
 * `dataset_upload_chunks`, so every API replica can serve it), and a record of each download.
 * All three under forced row-level security: one authority's archive is invisible to another.
 */
export class TenantExports1765000000000 implements MigrationInterface {
  name = 'TenantExports1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant_exports (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        id uuid NOT NULL,
        requested_by uuid,
        requested_via varchar(8) NOT NULL CHECK (requested_via IN ('api', 'web', 'cli')),
        status varchar(16) NOT NULL
          CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        message text,
        error text,
        file_name varchar(200),
        size_bytes bigint,
        sha256 char(64),
        manifest jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, requested_by) REFERENCES users (tenant_id, id)
          ON DELETE SET NULL (requested_by)
      );
      CREATE INDEX tenant_exports_recent ON tenant_exports (tenant_id, created_at DESC);
      CREATE TABLE tenant_export_chunks (
        tenant_id uuid NOT NULL,
        export_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 0),
        bytes bytea NOT NULL,
        PRIMARY KEY (tenant_id, export_id, seq),
        FOREIGN KEY (tenant_id, export_id) REFERENCES tenant_exports (tenant_id, id) ON DELETE CASCADE
      );
      CREATE TABLE tenant_export_downloads (
        tenant_id uuid NOT NULL,
        export_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        user_id uuid,
        via varchar(8) NOT NULL CHECK (via IN ('api', 'web')),
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, export_id) REFERENCES tenant_exports (tenant_id, id)
      );
    `);
    for (const table of ['tenant_exports', 'tenant_export_chunks', 'tenant_export_downloads']) {
      await enableTenantIsolation(db, table);
    }
    // Exports change state; chunks go when the export expires; downloads are append-only.
    await db.query(`
      GRANT SELECT, INSERT, UPDATE ON tenant_exports TO ${APP_ROLE};
      GRANT SELECT, INSERT, DELETE ON tenant_export_chunks TO ${APP_ROLE};
      GRANT SELECT, INSERT ON tenant_export_downloads TO ${APP_ROLE};
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      'DROP TABLE tenant_export_downloads; DROP TABLE tenant_export_chunks; DROP TABLE tenant_exports;',
    );
  }
}

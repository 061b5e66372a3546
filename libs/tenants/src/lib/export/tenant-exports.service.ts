import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { DomainError, notFound } from '@schoolbench/graphql';
import { JOB_RETENTION, QUEUES, type JobPayloads } from '@schoolbench/queue';
import { TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import type { TenantExportManifest } from './tenant-export-archive';

export const TENANT_EXPORT_JOB = 'tenant-export.build';

/** Failures that are not the data's (the database, a killed worker) are tried again. */
export const TENANT_EXPORT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  ...JOB_RETENTION,
} as const;

export type TenantExportStatus = 'queued' | 'building' | 'ready' | 'failed' | 'expired';

export interface TenantExportRecord {
  id: string;
  status: TenantExportStatus;
  progress: number;
  message: string | null;
  error: string | null;
  fileName: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  manifest: TenantExportManifest | null;
  requestedBy: string | null;
  requestedVia: 'api' | 'web' | 'cli';
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
}

interface ExportRow {
  id: string;
  status: TenantExportStatus;
  progress: number;
  message: string | null;
  error: string | null;
  file_name: string | null;
  size_bytes: string | null;
  sha256: string | null;
  manifest: TenantExportManifest | null;
  requested_by: string | null;
  requested_via: 'api' | 'web' | 'cli';
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toRecord(row: ExportRow): TenantExportRecord {
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    message: row.message,
    error: row.error,
    fileName: row.file_name,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    manifest: row.manifest,
    requestedBy: row.requested_by,
    requestedVia: row.requested_via,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Marks the tenant's exports past their expiry `expired` and deletes their archives, in the
 * caller's tenant transaction: run whenever the tenant lists, reads or requests exports, by
 * every export job and by the daily retention job, so an expired archive is never served and
 * never kept longer than a day past its expiry. Answers how many exports expired.
 */
export async function expireTenantExports(m: EntityManager, tenantId: string): Promise<number> {
  // TypeORM answers an UPDATE … RETURNING with [rows, count].
  const [expired] = await m.query<[{ id: string }[], number]>(
    `update tenant_exports set status = 'expired'
     where tenant_id = $1 and status = 'ready' and expires_at <= now() returning id`,
    [tenantId],
  );
  if (expired.length === 0) return 0;
  await m.query(
    'delete from tenant_export_chunks where tenant_id = $1 and export_id = any($2::uuid[])',
    [tenantId, expired.map((e) => e.id)],
  );
  return expired.length;
}

/** What a download streams: the stored archive, chunk by chunk. */
export interface ExportDownload {
  fileName: string;
  sizeBytes: number;
  sha256: string;
  chunks: AsyncIterable<Buffer>;
}

/**
 * An LA admin's exports of everything its authority owns (ADR 0081): requested here, built by the
 * `tenant-export.build` job, stored in `tenant_export_chunks` until they expire, downloaded by an
 * LA admin of the same authority (each download recorded). Everything through the signed-in
 * principal's tenant transaction: another authority's export is not found, by row-level security.
 */
@Injectable()
export class TenantExports {
  private readonly logger = new Logger(TenantExports.name);

  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QUEUES.tenantExports)
    private readonly queue: Queue<JobPayloads['tenant-export.build']>,
  ) {}

  /**
   * Queues an export, or returns the one already queued or building (one at a time per tenant:
   * a second click must not build the same archive twice).
   */
  async request(via: 'api' | 'web'): Promise<TenantExportRecord> {
    const principal = this.context.principal();
    const outcome = await this.tx.run(async (m) => {
      await expireTenantExports(m, principal.tenantId);
      // Serialises concurrent requests of one tenant (a transaction-scoped advisory lock).
      await m.query("select pg_advisory_xact_lock(hashtext('tenant-export:' || $1))", [
        principal.tenantId,
      ]);
      const [open] = await m.query<ExportRow[]>(
        `select * from tenant_exports
         where tenant_id = $1 and status in ('queued', 'building') order by created_at limit 1`,
        [principal.tenantId],
      );
      if (open) return { row: open, created: false };
      const [row] = await m.query<ExportRow[]>(
        `insert into tenant_exports (tenant_id, id, requested_by, requested_via, status, message)
         values ($1, $2, $3, $4, 'queued', 'Waiting for a worker')
         returning *`,
        [principal.tenantId, randomUUID(), principal.userId, via],
      );
      return { row, created: true };
    });
    const payload = { tenantId: principal.tenantId, exportId: outcome.row.id };
    try {
      // The export id is the job id: queuing an export that still has its job is a no-op.
      await this.queue.add(TENANT_EXPORT_JOB, payload, {
        ...TENANT_EXPORT_JOB_OPTIONS,
        jobId: payload.exportId,
      });
    } catch (error) {
      if (outcome.created) {
        await this.tx.run((m) =>
          m.query(
            `update tenant_exports set status = 'failed', error = $3, finished_at = now()
             where tenant_id = $1 and id = $2 and status = 'queued'`,
            [payload.tenantId, payload.exportId, 'the job queue (Redis) could not be reached'],
          ),
        );
      }
      throw error;
    }
    this.logger.log(`Export ${payload.exportId} of tenant ${payload.tenantId} requested (${via})`);
    return toRecord(outcome.row);
  }

  /** One export of the caller's authority; NOT_FOUND for anything else, another tenant's too. */
  async get(id: string): Promise<TenantExportRecord> {
    if (!UUID.test(id)) throw notFound(`No export ${id}`);
    const principal = this.context.principal();
    const row = await this.tx.run(async (m) => {
      await expireTenantExports(m, principal.tenantId);
      const [found] = await m.query<ExportRow[]>(
        'select * from tenant_exports where tenant_id = $1 and id = $2',
        [principal.tenantId, id],
      );
      return found;
    });
    if (!row) throw notFound(`No export ${id}`);
    return toRecord(row);
  }

  /** The caller's authority's exports, newest first. */
  async list(limit = 20): Promise<TenantExportRecord[]> {
    const principal = this.context.principal();
    const rows = await this.tx.run(async (m) => {
      await expireTenantExports(m, principal.tenantId);
      return m.query<ExportRow[]>(
        `select * from tenant_exports where tenant_id = $1 order by created_at desc, id limit $2`,
        [principal.tenantId, limit],
      );
    });
    return rows.map(toRecord);
  }

  /**
   * Opens a ready export for download and records who downloads it. Not ready, expired or not
   * the caller's: NOT_FOUND, with a message that says which (only its own authority sees it).
   */
  async download(id: string, via: 'api' | 'web'): Promise<ExportDownload> {
    const record = await this.get(id);
    if (record.status === 'expired') {
      throw notFound(
        `Export ${id} expired at ${record.expiresAt?.toISOString()}: request a new one`,
      );
    }
    if (record.status !== 'ready') {
      throw new DomainError(
        'NOT_FOUND',
        `Export ${id} is ${record.status}, not ready to download`,
        {
          status: record.status,
        },
      );
    }
    const principal = this.context.principal();
    const chunks = await this.tx.run(async (m) => {
      await m.query(
        `insert into tenant_export_downloads (tenant_id, export_id, user_id, via) values ($1, $2, $3, $4)`,
        [principal.tenantId, id, principal.userId, via],
      );
      const [row] = await m.query<{ n: number }[]>(
        'select count(*)::int as n from tenant_export_chunks where tenant_id = $1 and export_id = $2',
        [principal.tenantId, id],
      );
      return row.n;
    });
    this.logger.log(`Export ${id} of tenant ${principal.tenantId} downloaded (${via})`);
    const tx = this.tx;
    const tenantId = principal.tenantId;
    return {
      fileName: record.fileName ?? `export-${id}.tar.gz`,
      sizeBytes: record.sizeBytes ?? 0,
      sha256: record.sha256 ?? '',
      // One chunk at a time, each in a short transaction of its own: memory stays at 1 MiB.
      chunks: (async function* read(): AsyncGenerator<Buffer> {
        for (let seq = 0; seq < chunks; seq++) {
          const [row] = await tx.inTenantApart(tenantId, (m) =>
            m.query<{ bytes: Buffer }[]>(
              'select bytes from tenant_export_chunks where tenant_id = $1 and export_id = $2 and seq = $3',
              [tenantId, id, seq],
            ),
          );
          if (!row) throw new Error(`Export ${id} lost its chunk ${seq}`);
          yield row.bytes;
        }
      })(),
    };
  }

  /** How long a ready export can be downloaded. */
  expiryHours(): number {
    return this.config.TENANT_EXPORT_EXPIRY_HOURS;
  }
}

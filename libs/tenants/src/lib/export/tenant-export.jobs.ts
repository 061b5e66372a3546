import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { QUEUES, waitingOutDatabaseOutages, type JobPayloads } from '@schoolbench/queue';
import { TenantTransactions } from '@schoolbench/tenancy';

import { TenantExportBuilder } from './tenant-export-builder';
import { expireTenantExports, TENANT_EXPORT_JOB } from './tenant-exports.service';

/** The user id recorded for reads a job makes for an export requested without a user. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

export interface TenantExportOutcome {
  exportId: string;
  status: 'ready' | 'skipped';
  sizeBytes?: number;
  files?: number;
}

/** The archive's name: the authority and the day it was taken. */
export function exportFileName(laCode: string | null, createdAt: string): string {
  return `schoolbench-export-${laCode ?? 'tenant'}-${createdAt.slice(0, 10)}.tar.gz`;
}

/**
 * The `tenant-exports` queue's worker: one export per job (job id = export id). The archive's
 * chunks are written in the same tenant transaction as every read, so a killed or failed attempt
 * leaves no chunk behind; progress is committed apart so the LA admin sees it move.
 */
@Processor(QUEUES.tenantExports, { lockDuration: 30_000 })
export class TenantExportProcessor extends WorkerHost {
  private readonly logger = new Logger(TenantExportProcessor.name);

  constructor(
    private readonly builder: TenantExportBuilder,
    private readonly tx: TenantTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  process(
    job: Job<JobPayloads['tenant-export.build']>,
    token?: string,
  ): Promise<TenantExportOutcome> {
    if (job.name !== TENANT_EXPORT_JOB) {
      throw new UnrecoverableError(`Unknown tenant export job ${job.name}`);
    }
    return waitingOutDatabaseOutages(job, token, () => this.build(job));
  }

  private async build(job: Job<JobPayloads['tenant-export.build']>): Promise<TenantExportOutcome> {
    const { tenantId, exportId } = job.data;
    const claimed = await this.tx.inTenantApart(tenantId, async (m) => {
      await expireTenantExports(m, tenantId);
      // TypeORM answers an UPDATE … RETURNING with [rows, count].
      const [[row]] = await m.query<[{ requested_by: string | null }[], number]>(
        `update tenant_exports set status = 'building', started_at = now(), progress = 0,
           message = 'Reading the data'
         where tenant_id = $1 and id = $2 and status in ('queued', 'building')
         returning requested_by`,
        [tenantId, exportId],
      );
      return row;
    });
    // Already built, failed for good or gone: a job queued twice does nothing the second time.
    if (!claimed) return { exportId, status: 'skipped' };
    let seq = 0;
    const built = await this.builder.build(
      tenantId,
      exportId,
      {
        start: async (m) => {
          seq = 0;
          await m.query(
            'delete from tenant_export_chunks where tenant_id = $1 and export_id = $2',
            [tenantId, exportId],
          );
        },
        write: async (piece, m) => {
          await m.query(
            'insert into tenant_export_chunks (tenant_id, export_id, seq, bytes) values ($1, $2, $3, $4)',
            [tenantId, exportId, seq++, piece],
          );
        },
        progress: async (percent, message) => {
          await this.tx.inTenantApart(tenantId, (m) =>
            m.query(
              `update tenant_exports set progress = $3, message = $4
               where tenant_id = $1 and id = $2 and status = 'building'`,
              [tenantId, exportId, percent, message],
            ),
          );
          await job.updateProgress(percent);
        },
      },
      { userId: claimed.requested_by ?? NO_USER, via: 'job' },
    );
    await this.tx.inTenantApart(tenantId, (m) =>
      m.query(
        `update tenant_exports set status = 'ready', progress = 100, message = 'Ready to download',
           file_name = $3, size_bytes = $4, sha256 = $5, manifest = $6, finished_at = now(),
           expires_at = now() + make_interval(hours => $7)
         where tenant_id = $1 and id = $2`,
        [
          tenantId,
          exportId,
          exportFileName(built.manifest.tenant.laCode, built.manifest.createdAt),
          built.sizeBytes,
          built.sha256,
          JSON.stringify(built.manifest),
          this.config.TENANT_EXPORT_EXPIRY_HOURS,
        ],
      ),
    );
    await job.updateProgress(100);
    this.logger.log(
      `Export ${exportId} of tenant ${tenantId} ready: ${built.manifest.files.length} files, ${built.sizeBytes} bytes`,
    );
    return {
      exportId,
      status: 'ready',
      sizeBytes: built.sizeBytes,
      files: built.manifest.files.length,
    };
  }

  /** The last attempt failed: say so on the export, so the LA admin is not left waiting. */
  @OnWorkerEvent('failed')
  async onFailed(
    job: Job<JobPayloads['tenant-export.build']> | undefined,
    error: Error,
  ): Promise<void> {
    if (!job) return;
    this.logger.warn(
      `Export ${job.data.exportId} failed (attempt ${job.attemptsMade}): ${error.message}`,
    );
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const { tenantId, exportId } = job.data;
    await this.tx
      .inTenantApart(tenantId, (m) =>
        m.query(
          `update tenant_exports set status = 'failed', error = $3, message = null,
             finished_at = now()
           where tenant_id = $1 and id = $2 and status in ('queued', 'building')`,
          [tenantId, exportId, `The export could not be built: ${error.message}`.slice(0, 1000)],
        ),
      )
      .catch(() => undefined);
  }
}

import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { JOB_RETENTION, QUEUES, type JobPayloads } from '@schoolbench/queue';
import { TenantTransactions } from '@schoolbench/tenancy';

import {
  DatasetImports,
  type DatasetImportOutcome,
  type DatasetImportRequest,
  type DatasetValidation,
} from './dataset-imports.service';
import { storeUploadChunks } from './upload-chunks';

export const DATASET_IMPORT_JOB = 'dataset.import';

/**
 * Retries with exponential backoff (2 s, 4 s, 8 s) for failures that are not the file's (the
 * database or the worker); the dataset id is the job id, so a dataset is queued once.
 */
export const DATASET_IMPORT_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 2000 },
  ...JOB_RETENTION,
} as const;

export interface DatasetUpload extends Omit<DatasetImportRequest, 'onProgress'> {
  /** Bytes of the data file plus its meta file, as received. */
  sizeBytes: number;
}

/**
 * Where an upload goes: small files import within the request; larger ones (above
 * `IMPORT_IN_BACKGROUND_ABOVE_BYTES`) are stored in the database and imported by a worker, the
 * caller getting a `queued` dataset at once.
 */
@Injectable()
export class DatasetUploads {
  constructor(
    private readonly imports: DatasetImports,
    private readonly tx: TenantTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QUEUES.datasetImports)
    private readonly queue: Queue<JobPayloads['dataset.import']>,
  ) {}

  /**
   * Validates an upload without writing anything, whatever its size (`DatasetImports.validate`):
   * a dry run is read now, never queued.
   */
  validate(tenantId: string, upload: DatasetUpload): Promise<DatasetValidation> {
    return this.imports.validate(tenantId, upload);
  }

  async accept(
    tenantId: string,
    uploadedBy: string | null,
    upload: DatasetUpload,
  ): Promise<DatasetImportOutcome> {
    if (upload.sizeBytes <= this.config.IMPORT_IN_BACKGROUND_ABOVE_BYTES) {
      return this.imports.importInto(tenantId, uploadedBy, upload);
    }
    return this.queueImport(tenantId, uploadedBy, upload);
  }

  /**
   * Stores the upload and a `queued` dataset in one transaction, then queues its job. The same
   * file again changes nothing: a published or waiting dataset with its content hash is returned
   * (a waiting one's job queued again, which BullMQ ignores when it is still there).
   */
  async queueImport(
    tenantId: string,
    uploadedBy: string | null,
    upload: DatasetUpload,
  ): Promise<DatasetImportOutcome> {
    const contentHash = await this.imports.identityHash(upload);
    const existing = await this.imports.existingWithHash(tenantId, contentHash);
    if (existing?.status === 'published') {
      return { datasetId: existing.id, status: 'published', unchanged: true };
    }
    if (existing && existing.status !== 'failed') {
      await this.enqueue({ tenantId, datasetId: existing.id, profileId: upload.profileId });
      return { datasetId: existing.id, status: existing.status, unchanged: true };
    }
    // Refused now rather than in the worker: a profile that does not exist or is invalid.
    if (upload.profileId) await this.imports.profile(tenantId, upload.profileId);

    const datasetId = randomUUID();
    const other = await this.tx.inTenant(tenantId, async (m) => {
      // The same file uploaded at the same moment: the second waits here, then finds the first.
      const current = await this.imports.claimContentHash(m, tenantId, contentHash);
      if (current && current.status !== 'failed') return current;
      // A failed import of the same file holds only its report (and no chunks): replace it.
      if (current) {
        await m.query(
          "delete from datasets where tenant_id = $1 and id = $2 and status = 'failed'",
          [tenantId, current.id],
        );
      }
      await m.query(
        `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status,
           uploaded_by, upload_profile_id)
         values ($1, $2, $3, 1, $4, $5, 'queued', $6, $7)`,
        [
          tenantId,
          datasetId,
          `pending:${datasetId}`,
          upload.file.name.slice(0, 300),
          contentHash,
          uploadedBy,
          upload.profileId ?? null,
        ],
      );
      await storeUploadChunks(m, tenantId, datasetId, 'data', upload.file);
      if (upload.meta) await storeUploadChunks(m, tenantId, datasetId, 'meta', upload.meta);
      return undefined;
    });
    if (other) return { datasetId: other.id, status: other.status, unchanged: true };
    const payload = { tenantId, datasetId, profileId: upload.profileId };
    try {
      await this.enqueue(payload);
    } catch (error) {
      // Without a job nothing would ever import it: fail it with a reason, then say so.
      await this.imports.recordStoredFailure(
        payload,
        'the import queue (Redis) could not be reached',
      );
      throw error;
    }
    return { datasetId, status: 'queued', unchanged: false };
  }

  private enqueue(payload: JobPayloads['dataset.import']): Promise<void> {
    return enqueueDatasetImport(this.queue, payload);
  }
}

/** The dataset id is the job id: adding a job that exists already is a no-op. */
export async function enqueueDatasetImport(
  queue: Queue<JobPayloads['dataset.import']>,
  payload: JobPayloads['dataset.import'],
): Promise<void> {
  await queue.add(DATASET_IMPORT_JOB, payload, {
    ...DATASET_IMPORT_JOB_OPTIONS,
    jobId: payload.datasetId,
  });
}

import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';

import { QUEUES, waitingOutDatabaseOutages, type JobPayloads } from '@schoolbench/queue';

import { DatasetImports, type DatasetImportOutcome } from '../dataset-imports.service';
import { DATASET_IMPORT_JOB } from '../dataset-uploads.service';

/**
 * The `dataset-imports` queue's worker: one stored upload per job, the job id being the dataset
 * id. A file's own problems end the job with the dataset `failed` (no retry: the same bytes would
 * fail the same way); anything else is thrown so BullMQ retries with backoff. The lock is renewed
 * every 5 s; a worker that dies stops renewing it and another takes the job up within ~15 s.
 */
@Processor(QUEUES.datasetImports, { lockDuration: 10_000, stalledInterval: 5_000 })
export class DatasetImportProcessor extends WorkerHost {
  private readonly logger = new Logger(DatasetImportProcessor.name);

  constructor(private readonly imports: DatasetImports) {
    super();
  }

  process(job: Job<JobPayloads['dataset.import']>, token?: string): Promise<DatasetImportOutcome> {
    if (job.name !== DATASET_IMPORT_JOB) {
      throw new UnrecoverableError(`Unknown dataset import job ${job.name}`);
    }
    // The import transaction rolls back with the lost connection; the next try starts afresh.
    return waitingOutDatabaseOutages(job, token, () =>
      this.imports.importStored(job.data, {
        reportProgress: (progress) => job.updateProgress(progress),
      }),
    );
  }

  /** The last attempt failed for a reason that was not the file's: say so on the dataset. */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<JobPayloads['dataset.import']> | undefined, error: Error): Promise<void> {
    if (!job) return;
    this.logger.warn(
      `Import of dataset ${job.data.datasetId} failed (attempt ${job.attemptsMade}): ${error.message}`,
    );
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.imports.recordStoredFailure(job.data, error.message).catch(() => undefined);
  }
}

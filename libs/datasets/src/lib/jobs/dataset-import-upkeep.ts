import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { QUEUES, RecurringSweep, type JobPayloads } from '@schoolbench/queue';
import { TenantTransactions } from '@schoolbench/tenancy';

import { enqueueDatasetImport } from '../dataset-uploads.service';

/**
 * Keeps queued uploads moving when Redis loses their jobs (restarted without persistence): every
 * worker, at start, on a timer (`DATASET_IMPORT_UPKEEP_INTERVAL_SECONDS`) and whenever its Redis
 * connection comes back, queues again the import of every queued or importing dataset whose job
 * Redis no longer has. The stored chunks are in Postgres, so nothing was lost but the job; a
 * re-queued import takes the dataset's advisory lock and re-checks its status, so it publishes at
 * most once.
 */
@Injectable()
export class DatasetImportUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatasetImportUpkeep.name);
  private readonly recurring: RecurringSweep;

  constructor(
    private readonly tx: TenantTransactions,
    @InjectQueue(QUEUES.datasetImports)
    private readonly queue: Queue<JobPayloads['dataset.import']>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.recurring = new RecurringSweep(
      'Dataset import upkeep',
      queue,
      config.DATASET_IMPORT_UPKEEP_INTERVAL_SECONDS,
      () => this.sweep(),
    );
  }

  onApplicationBootstrap(): void {
    this.recurring.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.recurring.stop();
  }

  /** Returns the ids of the datasets whose import it queued again. */
  async sweep(): Promise<string[]> {
    const tenants = await this.tx.runOutsideTenant((m) =>
      m.query<{ id: string }[]>(`select id from tenants where kind <> 'platform' order by id`),
    );
    const requeued: string[] = [];
    for (const { id: tenantId } of tenants) {
      const waiting = await this.tx.inTenant(tenantId, (m) =>
        m.query<{ id: string; upload_profile_id: string | null }[]>(
          `select id, upload_profile_id from datasets
           where tenant_id = $1 and status in ('queued', 'importing') order by created_at, id`,
          [tenantId],
        ),
      );
      for (const dataset of waiting) {
        if (await this.queue.getJob(dataset.id)) continue;
        await enqueueDatasetImport(this.queue, {
          tenantId,
          datasetId: dataset.id,
          ...(dataset.upload_profile_id ? { profileId: dataset.upload_profile_id } : {}),
        });
        requeued.push(dataset.id);
      }
    }
    if (requeued.length > 0) {
      this.logger.warn(`Re-queued ${requeued.length} dataset import(s) whose job was lost`);
    }
    return requeued;
  }
}

import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';

import { QUEUES, type JobPayloads } from '@schoolbench/queue';

import { RetentionService, type RetentionOutcome } from './retention.service';

/** Runs `retention.apply`; its return value (what was removed) stays on the finished job too. */
@Processor(QUEUES.lifecycle)
export class RetentionProcessor extends WorkerHost {
  constructor(private readonly retention: RetentionService) {
    super();
  }

  async process(job: Job<JobPayloads['retention.apply']>): Promise<RetentionOutcome> {
    if (job.name !== 'retention.apply') throw new Error(`Unknown lifecycle job ${job.name}`);
    return this.retention.apply();
  }
}

/** Daily, the first run at once (idempotent: one scheduler per id in Redis). */
@Injectable()
export class RetentionSchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.lifecycle) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'retention.apply',
      { every: 24 * 3600 * 1000 },
      { name: 'retention.apply', data: {} },
    );
  }
}

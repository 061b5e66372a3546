import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';

import { QUEUES, type JobPayloads } from '@schoolbench/queue';

import { ProtocolsService } from '../protocols.service';

/**
 * Expiry on time without a request. Grants already stop at their `valid_to` in every policy;
 * this job moves the protocols to EXPIRED, records it in their history and marks the
 * comparison runs that relied on them stale.
 */
@Processor(QUEUES.sharing)
export class ProtocolExpiryProcessor extends WorkerHost {
  constructor(private readonly protocols: ProtocolsService) {
    super();
  }

  async process(job: Job<JobPayloads['protocols.expire']>): Promise<{ expired: number }> {
    if (job.name !== 'protocols.expire') throw new Error(`Unknown sharing job ${job.name}`);
    return { expired: await this.protocols.expireDue() };
  }
}

/** Every five minutes, the first run at once (idempotent: one scheduler per id in Redis). */
@Injectable()
export class ProtocolExpirySchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.sharing) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'protocols.expire',
      { every: 5 * 60 * 1000 },
      { name: 'protocols.expire', data: {} },
    );
  }
}

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { QUEUES } from '@schoolbench/queue';

/** Registers the recurring housekeeping jobs (idempotent: one scheduler per id in Redis). */
@Injectable()
export class HousekeepingSchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(QUEUES.housekeeping) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'refresh-tokens.purge',
      { every: 60 * 60 * 1000 },
      { name: 'refresh-tokens.purge', data: { olderThanSeconds: 24 * 3600 } },
    );
  }
}

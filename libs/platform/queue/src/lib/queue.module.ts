import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Global, Inject, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { metricsRegistry } from '@schoolbench/observability';

import { JOB_RETENTION, QUEUES } from './job-registry';
import { redisOptions } from './redis-connection';

const queueNames = Object.values(QUEUES);

// Queues of every module instance in this process (tests start several).
const measuredQueues = new Set<Queue>();

new Gauge({
  name: 'schoolbench_queue_jobs',
  help: 'Jobs per queue and state',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    for (const queue of measuredQueues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
    }
  },
});

/** BullMQ on Redis, with every queue of the job registry and a queue-depth gauge. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.REDIS_URL),
        prefix: config.REDIS_PREFIX,
        defaultJobOptions: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
          ...JOB_RETENTION,
        },
      }),
    }),
    ...queueNames.map((name) => BullModule.registerQueue({ name })),
  ],
  exports: [BullModule],
})
export class QueueModule implements OnModuleInit, OnModuleDestroy {
  private readonly queues: Queue[];

  constructor(
    @Inject(getQueueToken(QUEUES.housekeeping)) housekeeping: Queue,
    @Inject(getQueueToken(QUEUES.comparisons)) comparisons: Queue,
    @Inject(getQueueToken(QUEUES.datasetImports)) datasetImports: Queue,
    @Inject(getQueueToken(QUEUES.sharing)) sharing: Queue,
    @Inject(getQueueToken(QUEUES.lifecycle)) lifecycle: Queue,
    @Inject(getQueueToken(QUEUES.tenantExports)) tenantExports: Queue,
  ) {
    this.queues = [housekeeping, comparisons, datasetImports, sharing, lifecycle, tenantExports];
  }

  onModuleInit(): void {
    for (const queue of this.queues) measuredQueues.add(queue);
  }

  onModuleDestroy(): void {
    for (const queue of this.queues) measuredQueues.delete(queue);
  }
}

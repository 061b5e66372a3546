export {
  JOB_QUEUE,
  JOB_RETENTION,
  QUEUES,
  type JobName,
  type JobPayloads,
  type QueueName,
} from './lib/job-registry';
export { DATABASE_RETRY_DELAY_MS, waitingOutDatabaseOutages } from './lib/database-outage';
export { QueueModule } from './lib/queue.module';
export { redisOptions } from './lib/redis-connection';
export { RecurringSweep } from './lib/recurring-sweep';
export { RateCounters, RateCountersModule, type WindowCount } from './lib/rate-counters';

import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { QueueEvents } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { QUEUES, redisOptions } from '@schoolbench/queue';

/** Queue events that may mean a run's status, progress or message changed. */
const RUN_EVENTS = [
  'active',
  'progress',
  'completed',
  'failed',
  'removed',
  'waiting',
  'delayed',
  'stalled',
] as const;

/**
 * Carries "run X changed" from the worker processes to this API process: BullMQ's queue events of
 * the `comparisons` queue (a Redis stream; the job id is the run id). Only ids travel; whoever is
 * told re-reads the run under its own tenant, so nothing here can show one tenant another's run.
 * One Redis connection per process, opened when the first subscriber arrives.
 */
@Injectable()
export class ComparisonRunEvents implements OnModuleDestroy {
  private readonly logger = new Logger(ComparisonRunEvents.name);
  private readonly listeners = new Map<string, Set<() => void>>();
  private events: QueueEvents | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Calls `changed` whenever the queue reports something about the run; returns the unsubscribe. */
  async watch(runId: string, changed: () => void): Promise<() => void> {
    await this.start();
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(changed);
    return () => {
      set.delete(changed);
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }

  async onModuleDestroy(): Promise<void> {
    const events = this.events;
    this.events = null;
    this.listeners.clear();
    await events?.close();
  }

  private async start(): Promise<void> {
    if (!this.events) {
      const events = new QueueEvents(QUEUES.comparisons, {
        connection: redisOptions(this.config.REDIS_URL),
        prefix: this.config.REDIS_PREFIX,
      });
      // ioredis reconnects by itself; subscribers also re-read on a timer, so a lost event only
      // delays an update (see ComparisonRunUpdates).
      events.on('error', (error) => this.logger.warn(`Queue events: ${error.message}`));
      for (const name of RUN_EVENTS) {
        events.on(name, ({ jobId }: { jobId: string }) => this.notify(jobId));
      }
      this.events = events;
    }
    await this.events.waitUntilReady();
  }

  private notify(runId: string): void {
    for (const changed of this.listeners.get(runId) ?? []) changed();
  }
}

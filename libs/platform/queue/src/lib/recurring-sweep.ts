import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

/**
 * Runs a worker's upkeep sweep at start, on a timer and as soon as the queue's Redis connection
 * comes back after a loss; one sweep at a time per process, errors logged (the next tick tries
 * again). Timers and not a repeatable BullMQ job: a Redis that lost its data lost the schedule too.
 */
export class RecurringSweep {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly queue: Queue,
    private readonly intervalSeconds: number,
    private readonly sweep: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    let lost = false;
    this.queue.backend.on('close', () => (lost = true));
    this.queue.backend.on('ready', () => {
      if (!lost) return;
      lost = false;
      void this.runSoon();
    });
    this.timer = setInterval(() => void this.runSoon(), this.intervalSeconds * 1000);
    this.timer.unref();
    void this.runSoon();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  runSoon(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.sweep()
      .then(() => undefined)
      .catch((e: unknown) => this.logger.warn(`${this.name} failed: ${String(e)}`))
      .finally(() => (this.running = null));
    return this.running;
  }
}

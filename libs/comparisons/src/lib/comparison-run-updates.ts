import { Injectable } from '@nestjs/common';

import { TenantContext, type Principal } from '@schoolbench/tenancy';

import { ComparisonRunEvents } from './comparison-run-events';
import { ComparisonRunsService } from './comparison-runs.service';
import { ComparisonRunStatus, type ComparisonRunModel } from './models/comparison-run.model';

const FINISHED: readonly ComparisonRunStatus[] = [
  ComparisonRunStatus.COMPLETED,
  ComparisonRunStatus.FAILED,
  ComparisonRunStatus.CANCELLED,
];

/** How long a subscriber waits for a queue event before re-reading the run anyway. */
export const RUN_REREAD_MS = 5_000;

/**
 * One subscriber's view of one run: the run as it is now, then each change of its status,
 * progress or message, ending after a finished status. Every read goes through
 * `ComparisonRunsService.get` as the subscriber, so tenant isolation, school scope and staleness
 * are those of the `comparisonRun` query.
 */
class RunUpdateStream implements AsyncIterableIterator<ComparisonRunModel> {
  private last: ComparisonRunModel | null = null;
  private closed = false;
  private dirty = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly read: () => Promise<ComparisonRunModel>,
    private readonly first: ComparisonRunModel,
    private readonly unwatch: () => void,
    private readonly rereadMs: number,
  ) {}

  /** A queue event about the run: read it again at the next opportunity. */
  changed(): void {
    this.dirty = true;
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ComparisonRunModel>> {
    if (!this.last) return this.emit(this.first);
    while (!this.closed && !FINISHED.includes(this.last.status)) {
      await this.sleep();
      if (this.closed) break;
      this.dirty = false;
      let run: ComparisonRunModel;
      try {
        run = await this.read();
      } catch (error) {
        // Gone, stale or no longer visible: the subscriber gets the same error a query would.
        await this.return();
        throw error;
      }
      if (
        run.status !== this.last.status ||
        run.progress !== this.last.progress ||
        run.message !== this.last.message
      ) {
        return this.emit(run);
      }
    }
    return this.return();
  }

  return(): Promise<IteratorResult<ComparisonRunModel>> {
    if (!this.closed) {
      this.closed = true;
      this.unwatch();
      this.wake?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ComparisonRunModel> {
    return this;
  }

  private emit(run: ComparisonRunModel): IteratorResult<ComparisonRunModel> {
    this.last = run;
    return { value: run, done: false };
  }

  private sleep(): Promise<void> {
    if (this.dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.rereadMs);
      this.wake = done;
    });
  }
}

/** The `comparisonRunUpdated` subscription: a stream of one run's changes, as its reader sees it. */
@Injectable()
export class ComparisonRunUpdates {
  /** Overridable by tests that want to see the timer path without waiting for it. */
  rereadMs = RUN_REREAD_MS;

  constructor(
    private readonly runs: ComparisonRunsService,
    private readonly events: ComparisonRunEvents,
    private readonly context: TenantContext,
  ) {}

  /**
   * Checks the principal may read the run (NOT_FOUND for another tenant's run, as for the query)
   * before anything is subscribed; then watches it.
   */
  async subscribe(id: string): Promise<AsyncIterableIterator<ComparisonRunModel>> {
    const principal = this.context.principal();
    await this.runs.get(id);
    let stream: RunUpdateStream | null = null;
    // Watch before the first read, so a change between the two is not missed.
    const unwatch = await this.events.watch(id, () => stream?.changed());
    try {
      const first = await this.readAs(principal, id);
      stream = new RunUpdateStream(() => this.readAs(principal, id), first, unwatch, this.rereadMs);
      return stream;
    } catch (error) {
      unwatch();
      throw error;
    }
  }

  /** Events arrive outside any request: each read re-enters the subscriber's context. */
  private readAs(principal: Principal, id: string): Promise<ComparisonRunModel> {
    return this.context.runAs(principal, () => this.runs.get(id));
  }
}

import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { ComparisonInputError, defaultComparisonMethods } from '@schoolbench/comparisons-core';
import { LaRegister } from '@schoolbench/la-register';
import { QUEUES, waitingOutDatabaseOutages, type JobPayloads } from '@schoolbench/queue';
import { AccessLog } from '@schoolbench/sharing';
import { TenantTransactions } from '@schoolbench/tenancy';

import {
  benchmarkedSchools,
  benchmarkSlices,
  computeGroups,
  withConfidenceLimits,
  type ComparisonGroups,
} from '../comparison-computation';
import { ComparisonData } from '../comparison-data';
import { contextMeasures, outcomePeriods } from '../comparison-request';
import { updateReturning, type ComparisonRunRow } from '../comparison-run-row';
import { COMPARISON_JOB } from '../comparison-runs.service';
import { ObservationTable } from '../observation-table';
import { ComparisonResultWriter } from './comparison-result-writer';
import { ComparisonRecomputation, RECOMPUTE_JOB } from './comparison-upkeep';

/** Points between phases where a run may stop; `writing` is inside the result transaction. */
export type ComparisonPhase = 'loaded' | 'grouped' | 'benchmarked' | 'writing';

export interface ComparisonOutcome {
  runId: string;
  status: 'completed' | 'cancelled' | 'skipped';
  groups: number;
  benchmarks: number;
}

export interface AttemptInfo {
  /** 1-based number of this attempt. */
  attempt: number;
  attempts: number;
  reportProgress(progress: number): Promise<void>;
}

class RunCancelled extends Error {}

/** Phase durations, recorded in the run's summary: where a slow run spent its time. */
class PhaseTimings {
  readonly ms: Record<string, number> = {};
  private start = performance.now();

  lap(phase: string): void {
    this.ms[phase] = Math.round(performance.now() - this.start);
    this.start = performance.now();
  }
}

interface Grouped {
  grouped: ComparisonGroups;
  /** Filled by `outcomesRead` (breakdown `all`) and later the disadvantaged breakdowns. */
  outcomes: ObservationTable;
  outcomesRead: Promise<unknown>;
  timings: PhaseTimings;
}

/** What a finished run records about itself (`comparison_runs.summary`). */
interface RunSummary {
  timingsMs: Record<string, number>;
  populationSize: number;
  populationExcluded: number;
  features: readonly string[];
  targets: number;
  excludedTargets: readonly { urn: number; reason: string }[];
  notes: string[];
}

/** Targets benchmarked between two looks at the connection (a few milliseconds of work). */
const TARGETS_PER_SLICE = 50;

/**
 * Computes one comparison run under its tenant: load the population and outcomes of the run's
 * dataset versions and group with the run's method; then, in one transaction, benchmark the
 * targets while their groups and benchmarks are inserted, and mark the run `completed` — nothing
 * is visible until all is.
 */
@Injectable()
export class ComparisonRunner {
  private readonly methods = defaultComparisonMethods();
  private readonly register = LaRegister.builtIn();
  private readonly logger = new Logger(ComparisonRunner.name);

  /**
   * Called at each phase boundary (and inside the result transaction before it commits). It does
   * nothing in service; fault tests replace it to fail or stall a run at a chosen point.
   */
  checkpoint: (phase: ComparisonPhase, runId: string) => Promise<void> | void = () => undefined;

  constructor(
    private readonly tx: TenantTransactions,
    private readonly accessLog: AccessLog,
  ) {}

  /** Reads the run's data with partners' rows written to the access log as the requester's. */
  private data(m: EntityManager, run: ComparisonRunRow): ComparisonData {
    return new ComparisonData(m, run.tenant_id, (tm, reads) =>
      this.accessLog.record(tm, 'comparison.run', reads, {
        tenantId: run.tenant_id,
        userId: run.requested_by,
      }),
    );
  }

  async run(
    payload: JobPayloads['comparison.run'],
    attempt: AttemptInfo,
  ): Promise<ComparisonOutcome> {
    const { tenantId, runId } = payload;
    const outcome = (status: ComparisonOutcome['status'], groups = 0, benchmarks = 0) => ({
      runId,
      status,
      groups,
      benchmarks,
    });
    const run = await this.claim(tenantId, runId);
    if (!run) return outcome('skipped');
    // The queue carries progress to subscribers; the database holds it. A lost Redis (restarted,
    // the job's key gone) must not fail a run whose results can still be written.
    const report = (value: number): Promise<void> =>
      attempt
        .reportProgress(value)
        .catch((e: unknown) =>
          this.logger.warn(`Progress of ${runId} not reported to the queue: ${String(e)}`),
        );
    await report(5);
    try {
      // Committed at once, even from inside the result transaction (which holds no lock that
      // this update waits for: the run row is locked only just before it completes).
      const progress = async (value: number, message: string): Promise<void> => {
        await this.tx.inTenantApart(tenantId, async (m) => {
          const [row] = await updateReturning<{ status: string }>(
            m,
            `update comparison_runs set progress = $3, message = $4
             where tenant_id = $1 and id = $2 and status = 'running' returning status`,
            [tenantId, runId, value, message],
          );
          if (!row) throw new RunCancelled();
        });
        await report(value);
      };
      const grouped = await this.group(run, progress);
      const counts = await this.benchmarkAndWrite(run, grouped, progress);
      if (!counts) return outcome('cancelled');
      await report(100);
      return outcome('completed', counts.groups, counts.benchmarks);
    } catch (error) {
      if (error instanceof RunCancelled) return outcome('cancelled');
      await this.recordFailure(run, error, attempt);
      if (error instanceof ComparisonInputError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /** Marks the run running (again, after a lost worker) unless it is finished or cancelled. */
  private async claim(tenantId: string, runId: string): Promise<ComparisonRunRow | undefined> {
    return this.tx.inTenant(tenantId, async (m) => {
      // The first start is kept. statement_timestamp(), not clock_timestamp(), and least(), not
      // coalesce(): Citus refuses a VOLATILE function in an UPDATE, and a non-IMMUTABLE one
      // inside COALESCE or CASE (docs/scaling.md §9.6); least() ignores a null started_at.
      const [run] = await updateReturning<ComparisonRunRow>(
        m,
        `update comparison_runs
         set status = 'running', attempts = attempts + 1,
             started_at = least(started_at, statement_timestamp()),
             progress = 5, message = 'Loading the population', error = null
         where tenant_id = $1 and id = $2 and status in ('queued', 'running') returning *`,
        [tenantId, runId],
      );
      if (run) return run;
      const [existing] = await m.query<{ status: string }[]>(
        'select status from comparison_runs where tenant_id = $1 and id = $2',
        [tenantId, runId],
      );
      if (!existing) throw new UnrecoverableError(`Comparison run ${runId} does not exist`);
      return undefined;
    });
  }

  /** Loads the run's data and finds the groups (phases `load` and `groups`). */
  private async group(
    run: ComparisonRunRow,
    progress: (value: number, message: string) => Promise<void>,
  ): Promise<Grouped> {
    const method = this.methods.get(run.method);
    const parameters = run.parameters;
    const periods = outcomePeriods(parameters.period);
    const datasets = run.dataset_versions;
    const timings = new PhaseTimings();

    // Outcomes are needed only for the benchmarks: read on a connection of their own while the
    // population is read and grouped (and the groups written).
    const outcomes = new ObservationTable();
    const outcomesRead = this.tx.inTenant(run.tenant_id, (m) =>
      this.data(m, run).observations(outcomes, {
        datasets,
        // With their confidence limits, which the benchmarks carry.
        measures: withConfidenceLimits(parameters.outcomeMeasures),
        periods,
        breakdowns: ['all'],
      }),
    );
    // Awaited by benchmarkAndWrite or, on an early exit here, settled before leaving: never an
    // unhandled rejection, and no read left running behind a failed attempt.
    outcomesRead.catch(() => undefined);
    try {
      const loaded = await this.tx.inTenant(run.tenant_id, async (m) => {
        const data = this.data(m, run);
        const existing = await data.existingDatasets(datasets);
        const gone = datasets.filter((d) => !existing.has(d.id));
        // A partner's dataset is "gone" when its grant went (revoked, suspended, expired)
        // between the request and this attempt: say so, rather than that it was deleted.
        const [reference] = await m.query<{ id: string | null }[]>(
          'select app_public_tenant() as id',
        );
        const unshared = gone.filter(
          (d) => d.tenantId !== run.tenant_id && d.tenantId !== reference?.id,
        );
        if (unshared.length > 0) {
          throw new ComparisonInputError(
            `A partner's data this comparison was requested with is no longer shared with your authority (its protocol was revoked, suspended or has expired); request the comparison again`,
          );
        }
        if (gone.length > 0) {
          throw new ComparisonInputError(
            `Dataset version(s) ${gone.map((d) => d.id).join(', ')} no longer exist; request the comparison again`,
          );
        }
        const tenants = [...new Set([run.tenant_id, ...datasets.map((d) => d.tenantId)])];
        const schools = await data.schools(tenants, parameters.phase);
        const context = await data.observations(new ObservationTable(), {
          datasets,
          measures: contextMeasures(method, parameters),
          periods: [parameters.period],
          breakdowns: ['all'],
        });
        const targets = parameters.allSchools
          ? schools.filter((s) => s.tenantId === run.tenant_id).map((s) => s.urn)
          : [parameters.targetUrn as number];
        return { schools, context, targets };
      });
      timings.lap('load');
      await this.checkpoint('loaded', run.id);
      await progress(30, `Finding similar schools among ${loaded.schools.length}`);

      const grouped = computeGroups({
        method,
        parameters,
        schools: loaded.schools,
        context: loaded.context,
        targets: loaded.targets,
        register: this.register,
      });
      if (grouped.targets.length === 0) {
        const why = grouped.excludedTargets.map((t) => `${t.urn}: ${t.reason}`).join('; ');
        throw new ComparisonInputError(
          `No target school could be grouped (${why || 'none of the phase'})`,
        );
      }
      timings.lap('groups');
      await this.checkpoint('grouped', run.id);
      await progress(
        60,
        `Benchmarking ${grouped.targets.length} school(s) and writing the results`,
      );
      return { grouped, outcomes, outcomesRead, timings };
    } catch (error) {
      await outcomesRead.catch(() => undefined);
      throw error;
    }
  }

  /**
   * One transaction: benchmark the targets while their groups and benchmarks are inserted (the
   * database writes one batch while the next is computed), then lock the run, check it is still
   * ours to finish (not cancelled meanwhile) and mark it completed. Returns the rows written, or
   * undefined when the run was not ours to write (finished by another attempt, or cancelled).
   */
  private async benchmarkAndWrite(
    run: ComparisonRunRow,
    { grouped, outcomes, outcomesRead, timings }: Grouped,
    progress: (value: number, message: string) => Promise<void>,
  ): Promise<{ groups: number; benchmarks: number } | undefined> {
    const parameters = run.parameters;
    const periods = outcomePeriods(parameters.period);
    // Breakdowns for the disadvantaged gap are needed only for the targets and their groups:
    // read on a connection of their own while the result transaction inserts the groups.
    const breakdowns = this.tx.inTenant(run.tenant_id, (m) =>
      this.data(m, run).observations(outcomes, {
        datasets: run.dataset_versions,
        measures: parameters.outcomeMeasures,
        periods,
        breakdowns: ['disadvantaged', 'not_disadvantaged'],
        urns: benchmarkedSchools(grouped),
      }),
    );
    breakdowns.catch(() => undefined);
    const notes = [...grouped.notes];
    try {
      return await this.tx.inTenant(run.tenant_id, async (m) => {
        // Attempts of one run write one at a time: a second waits here until the first commits
        // (then finds it completed) or rolls back. The run row itself is locked only at the end,
        // so nothing else waits on it while the results are written.
        await m.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `comparison run ${run.id}`,
        ]);
        const [current] = await m.query<{ status: string }[]>(
          'select status from comparison_runs where tenant_id = $1 and id = $2',
          [run.tenant_id, run.id],
        );
        if (current?.status !== 'running') return undefined;

        const writer = new ComparisonResultWriter(m, run.tenant_id, run.id);
        try {
          writer.groups(grouped);
          await Promise.all([outcomesRead, breakdowns]);
          const slices = benchmarkSlices(
            { result: grouped, measures: parameters.outcomeMeasures, periods, outcomes, notes },
            TARGETS_PER_SLICE,
          );
          for (const slice of slices) {
            writer.benchmarks(slice);
            // Lets the connection send the next batch as soon as the database is free.
            await new Promise((resolve) => setImmediate(resolve));
          }
          timings.lap('benchmarks');
          await this.checkpoint('benchmarked', run.id);
          await progress(90, 'Writing results');
          await writer.flush();
          await this.checkpoint('writing', run.id);
        } catch (error) {
          await writer.abandon();
          throw error;
        }

        // Cancelled while the results were written: roll them back.
        const [locked] = await m.query<{ status: string }[]>(
          'select status from comparison_runs where tenant_id = $1 and id = $2 for update',
          [run.tenant_id, run.id],
        );
        if (locked?.status !== 'running') throw new RunCancelled();
        timings.lap('write');
        const summary: RunSummary = {
          timingsMs: timings.ms,
          populationSize: grouped.groups.size,
          populationExcluded: grouped.populationExcluded,
          features: grouped.features,
          targets: grouped.targets.length,
          excludedTargets: grouped.excludedTargets,
          notes,
        };
        // The end of the transaction's work, not its start (now()); STABLE for Citus.
        await m.query(
          `update comparison_runs
           set status = 'completed', progress = 100, finished_at = statement_timestamp(), summary = $3,
               features = $4, message = $5, error = null
           where tenant_id = $1 and id = $2`,
          [
            run.tenant_id,
            run.id,
            JSON.stringify(summary),
            // The order of every member's feature_shares.
            grouped.groups.shares ? [...grouped.groups.features] : [],
            `Grouped and benchmarked ${grouped.targets.length} school(s)`,
          ],
        );
        return { ...writer.counts };
      });
    } catch (error) {
      if (error instanceof RunCancelled) return undefined;
      throw error;
    } finally {
      await Promise.allSettled([outcomesRead, breakdowns]);
    }
  }

  private async recordFailure(
    run: ComparisonRunRow,
    error: unknown,
    attempt: AttemptInfo,
  ): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const final = error instanceof ComparisonInputError || attempt.attempt >= attempt.attempts;
    this.logger.warn(`Comparison run ${run.id} attempt ${attempt.attempt} failed: ${message}`);
    await this.tx
      .inTenant(run.tenant_id, (m) =>
        m.query(
          // now() chosen here, not in a CASE: Citus refuses a STABLE function inside CASE.
          `update comparison_runs set status = $3::varchar, error = $4, message = $5,
             finished_at = ${final ? 'now()' : 'null'}
           where tenant_id = $1 and id = $2 and status in ('queued', 'running')`,
          [
            run.tenant_id,
            run.id,
            final ? 'failed' : 'queued',
            message,
            final
              ? `Failed after ${attempt.attempt} attempt(s)`
              : `Attempt ${attempt.attempt} of ${attempt.attempts} failed; retrying`,
          ],
        ),
      )
      .catch((e: unknown) =>
        this.logger.error(`Could not record the failure of ${run.id}: ${String(e)}`),
      );
  }

  /** A job that failed for good without reaching `recordFailure` (e.g. stalled too often). */
  async markFailed(payload: JobPayloads['comparison.run'], reason: string): Promise<void> {
    await this.tx.inTenant(payload.tenantId, (m) =>
      m.query(
        `update comparison_runs set status = 'failed', error = $3, message = 'Failed', finished_at = now()
         where tenant_id = $1 and id = $2 and status in ('queued', 'running')`,
        [payload.tenantId, payload.runId, reason],
      ),
    );
  }
}

/**
 * The `comparisons` queue's worker: one run per job, the job id being the run id. The lock is
 * renewed every 5 s; a worker that dies stops renewing it, and within about 15 s another worker
 * takes the job up again (a national run blocks the event loop for ~1 s at a time, well inside).
 */
@Processor(QUEUES.comparisons, { lockDuration: 10_000, stalledInterval: 5_000 })
export class ComparisonRunProcessor extends WorkerHost {
  private readonly logger = new Logger(ComparisonRunProcessor.name);

  constructor(
    private readonly runner: ComparisonRunner,
    private readonly recomputation: ComparisonRecomputation,
  ) {
    super();
  }

  process(
    job: Job<JobPayloads['comparison.run'] | JobPayloads['comparison.recompute']>,
    token?: string,
  ): Promise<ComparisonOutcome | { queued: string[] }> {
    return waitingOutDatabaseOutages(job, token, async () => {
      if (job.name === RECOMPUTE_JOB) {
        return { queued: await this.recomputation.recompute(job.data.tenantId) };
      }
      if (job.name !== COMPARISON_JOB || !('runId' in job.data))
        throw new UnrecoverableError(`Unknown comparison job ${job.name}`);
      return this.runner.run(job.data, {
        attempt: job.attemptsMade + 1,
        attempts: job.opts.attempts ?? 1,
        reportProgress: (progress) => job.updateProgress(progress),
      });
    });
  }

  /**
   * Connection trouble (Redis down or restarted) and jobs Redis lost while they ran ("Missing
   * lock"): the run row is the record, and ComparisonUpkeep re-queues what is unfinished.
   */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Comparison queue: ${error.message}`);
  }

  /** A job that ran out of attempts without the runner recording it (a stalled worker). */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<JobPayloads['comparison.run']> | undefined, error: Error): Promise<void> {
    if (!job || job.name !== COMPARISON_JOB || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.runner.markFailed(job.data, error.message).catch(() => undefined);
  }
}

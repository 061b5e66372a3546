import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { ComparisonInputError, defaultComparisonMethods } from '@schoolbench/comparisons-core';
import { LaRegister } from '@schoolbench/la-register';
import { QUEUES, type JobPayloads } from '@schoolbench/queue';
import { AccessLog } from '@schoolbench/sharing';
import { TenantTransactions } from '@schoolbench/tenancy';

import {
  benchmarkedSchools,
  computeBenchmarks,
  computeGroups,
  groupRows,
  type BenchmarkRow,
  type GroupMemberRow,
} from '../comparison-computation';
import { ComparisonData } from '../comparison-data';
import { contextMeasures, outcomePeriods } from '../comparison-request';
import { updateReturning, type ComparisonRunRow } from '../comparison-run-row';
import { COMPARISON_JOB } from '../comparison-runs.service';
import { ObservationTable } from '../observation-table';
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

const ROWS_PER_INSERT = 10_000;

/**
 * Computes one comparison run under its tenant: load the population and outcomes of the run's
 * dataset versions, group with the run's method, benchmark the targets, then write groups,
 * benchmarks and the `completed` status in one transaction — nothing is visible until all is.
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
      const progress = async (value: number, message: string): Promise<void> => {
        await this.tx.inTenant(tenantId, async (m) => {
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
      const result = await this.compute(run, progress);
      await progress(90, 'Writing results');
      const written = await this.write(run, result.groups, result.benchmarks, result.summary);
      if (!written) return outcome('cancelled');
      await report(100);
      return outcome('completed', result.groups.length, result.benchmarks.length);
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
      const [run] = await updateReturning<ComparisonRunRow>(
        m,
        `update comparison_runs
         set status = 'running', attempts = attempts + 1,
             started_at = coalesce(started_at, clock_timestamp()),
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

  private async compute(
    run: ComparisonRunRow,
    progress: (value: number, message: string) => Promise<void>,
  ): Promise<{ groups: GroupMemberRow[]; benchmarks: BenchmarkRow[]; summary: RunSummary }> {
    const method = this.methods.get(run.method);
    const parameters = run.parameters;
    const periods = outcomePeriods(parameters.period);
    const datasets = run.dataset_versions;
    // Phase durations go into the run's summary: where a slow run spent its time.
    const timingsMs: Record<string, number> = {};
    let phaseStart = performance.now();
    const lap = (phase: string): void => {
      timingsMs[phase] = Math.round(performance.now() - phaseStart);
      phaseStart = performance.now();
    };

    const loaded = await this.tx.inTenant(run.tenant_id, async (m) => {
      const data = this.data(m, run);
      const existing = await data.existingDatasets(datasets);
      const gone = datasets.filter((d) => !existing.has(d.id));
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
      const outcomes = await data.observations(new ObservationTable(), {
        datasets,
        measures: parameters.outcomeMeasures,
        periods,
        breakdowns: ['all'],
      });
      const targets = parameters.allSchools
        ? schools.filter((s) => s.tenantId === run.tenant_id).map((s) => s.urn)
        : [parameters.targetUrn as number];
      return { schools, context, outcomes, targets };
    });
    lap('load');
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
    lap('groups');
    await this.checkpoint('grouped', run.id);
    await progress(60, `Benchmarking ${grouped.targets.length} school(s)`);

    // Breakdowns for the disadvantaged gap are needed only for the targets and their groups.
    await this.tx.inTenant(run.tenant_id, (m) =>
      this.data(m, run).observations(loaded.outcomes, {
        datasets,
        measures: parameters.outcomeMeasures,
        periods,
        breakdowns: ['disadvantaged', 'not_disadvantaged'],
        urns: benchmarkedSchools(grouped),
      }),
    );
    const notes = [...grouped.notes];
    const benchmarks = computeBenchmarks({
      result: grouped,
      measures: parameters.outcomeMeasures,
      periods,
      outcomes: loaded.outcomes,
      notes,
    });
    const groups = groupRows(grouped);
    lap('benchmarks');
    await this.checkpoint('benchmarked', run.id);
    return {
      groups,
      benchmarks,
      summary: {
        timingsMs,
        populationSize: grouped.groups.size,
        populationExcluded: grouped.populationExcluded,
        features: grouped.features,
        targets: grouped.targets.length,
        excludedTargets: grouped.excludedTargets,
        notes,
      },
    };
  }

  /**
   * One transaction: lock the run, check it is still ours to finish (not cancelled, not already
   * completed by another attempt), insert everything and mark it completed.
   */
  private async write(
    run: ComparisonRunRow,
    groups: readonly GroupMemberRow[],
    benchmarks: readonly BenchmarkRow[],
    summary: RunSummary,
  ): Promise<boolean> {
    return this.tx.inTenant(run.tenant_id, async (m) => {
      const [current] = await m.query<{ status: string }[]>(
        'select status from comparison_runs where tenant_id = $1 and id = $2 for update',
        [run.tenant_id, run.id],
      );
      if (current?.status !== 'running') return false;
      const started = performance.now();
      await insertGroups(m, run, groups);
      await this.checkpoint('writing', run.id);
      await insertBenchmarks(m, run, benchmarks);
      await m.query(
        `update comparison_runs
         set status = 'completed', progress = 100, finished_at = clock_timestamp(), summary = $3,
             message = $4, error = null
         where tenant_id = $1 and id = $2`,
        [
          run.tenant_id,
          run.id,
          JSON.stringify({
            ...summary,
            timingsMs: { ...summary.timingsMs, write: Math.round(performance.now() - started) },
          }),
          `Grouped and benchmarked ${new Set(groups.map((g) => g.urn)).size} school(s)`,
        ],
      );
      return true;
    });
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
          `update comparison_runs set status = $3::varchar, error = $4, message = $5,
             finished_at = case when $3::varchar = 'failed' then now() end
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

async function insertGroups(
  m: EntityManager,
  run: ComparisonRunRow,
  rows: readonly GroupMemberRow[],
): Promise<void> {
  // Shares travel as one float8 array per feature and become jsonb in the database: a national
  // run has ~0.3 M members, and array literals of numbers are far cheaper than of JSON texts.
  const features = Object.keys(rows[0]?.featureShares ?? {});
  const pairs = features.map((_, j) => `$${8 + 2 * j}::text, u.s${j}`).join(', ');
  const arrays = features.map((_, j) => `, $${9 + 2 * j}::float8[]`).join('');
  const names = features.map((_, j) => `, s${j}`).join('');
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const batch = rows.slice(i, i + ROWS_PER_INSERT);
    await m.query(
      `insert into comparison_groups
         (tenant_id, run_id, urn, rank, neighbour_urn, neighbour_tenant_id, distance, feature_shares)
       select $1, $2, u.urn, u.rank, u.neighbour_urn, u.neighbour_tenant_id, u.distance,
              jsonb_build_object(${pairs})
       from unnest($3::int[], $4::int[], $5::int[], $6::uuid[], $7::float8[]${arrays})
         as u(urn, rank, neighbour_urn, neighbour_tenant_id, distance${names})`,
      [
        run.tenant_id,
        run.id,
        batch.map((r) => r.urn),
        batch.map((r) => r.rank),
        batch.map((r) => r.neighbourUrn),
        batch.map((r) => r.neighbourTenantId),
        batch.map((r) => r.distance),
        ...features.flatMap((f) => [f, batch.map((r) => r.featureShares[f] ?? null)]),
      ],
    );
  }
}

async function insertBenchmarks(
  m: EntityManager,
  run: ComparisonRunRow,
  rows: readonly BenchmarkRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const b = rows.slice(i, i + ROWS_PER_INSERT);
    await m.query(
      `insert into comparison_benchmarks
         (tenant_id, run_id, urn, measure, period, value, suppression, group_n, median, q1, q3,
          percentile_rank, rank, rank_of, gap_to_median, trend_slope, trend_periods,
          disadvantaged_gap, group_disadvantaged_gap, group_disadvantaged_n, expected_value,
          residual, suppressed_count, missing_count)
       select $1, $2, u.urn, u.measure, u.period, u.value, u.suppression, u.group_n, u.median,
              u.q1, u.q3, u.percentile_rank, u.rank, u.rank_of, u.gap_to_median, u.trend_slope,
              coalesce(string_to_array(nullif(u.trend_periods, ''), ',')::int[], '{}'),
              u.disadvantaged_gap, u.group_disadvantaged_gap, u.group_disadvantaged_n,
              u.expected_value, u.residual, u.suppressed_count, u.missing_count
       from unnest($3::int[], $4::text[], $5::int[], $6::float8[], $7::text[], $8::int[],
                   $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::int[], $14::int[],
                   $15::float8[], $16::float8[], $17::text[], $18::float8[], $19::float8[],
                   $20::int[], $21::float8[], $22::float8[], $23::int[], $24::int[])
         as u(urn, measure, period, value, suppression, group_n, median, q1, q3, percentile_rank,
              rank, rank_of, gap_to_median, trend_slope, trend_periods, disadvantaged_gap,
              group_disadvantaged_gap, group_disadvantaged_n, expected_value, residual,
              suppressed_count, missing_count)`,
      [
        run.tenant_id,
        run.id,
        b.map((r) => r.urn),
        b.map((r) => r.measure),
        b.map((r) => r.period),
        b.map((r) => r.value),
        b.map((r) => r.suppression),
        b.map((r) => r.groupN),
        b.map((r) => r.median),
        b.map((r) => r.q1),
        b.map((r) => r.q3),
        b.map((r) => r.percentileRank),
        b.map((r) => r.rank),
        b.map((r) => r.rankOf),
        b.map((r) => r.gapToMedian),
        b.map((r) => r.trendSlope),
        b.map((r) => r.trendPeriods.join(',')),
        b.map((r) => r.disadvantagedGap),
        b.map((r) => r.groupDisadvantagedGap),
        b.map((r) => r.groupDisadvantagedN),
        b.map((r) => r.expectedValue),
        b.map((r) => r.residual),
        b.map((r) => r.suppressedCount),
        b.map((r) => r.missingCount),
      ],
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

  async process(
    job: Job<JobPayloads['comparison.run'] | JobPayloads['comparison.recompute']>,
  ): Promise<ComparisonOutcome | { queued: string[] }> {
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

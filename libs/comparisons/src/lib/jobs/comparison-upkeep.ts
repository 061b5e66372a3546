import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { defaultComparisonMethods } from '@schoolbench/comparisons-core';
import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { QUEUES, RecurringSweep, type JobPayloads } from '@schoolbench/queue';
import { TenantTransactions } from '@schoolbench/tenancy';

import { ComparisonData } from '../comparison-data';
import {
  contextMeasures,
  outcomePeriods,
  resultKey,
  type DatasetVersion,
} from '../comparison-request';
import type { ComparisonRunRow } from '../comparison-run-row';
import { COMPARISON_JOB, COMPARISON_JOB_OPTIONS } from '../comparison-runs.service';

export const RECOMPUTE_JOB = 'comparison.recompute';

type ComparisonQueue = Queue<JobPayloads['comparison.run'] | JobPayloads['comparison.recompute']>;

async function enqueueRun(queue: ComparisonQueue, tenantId: string, runId: string): Promise<void> {
  // The run id is the job id: adding a job that exists already is a no-op.
  await queue.add(COMPARISON_JOB, { tenantId, runId }, { ...COMPARISON_JOB_OPTIONS, jobId: runId });
}

/**
 * Completed, servable runs of the tenant that read a dataset version since superseded in its
 * series, and that nobody has requested again (or recomputed) since the new version was
 * published. A recomputation, even a failed one, takes a run off this list until the next
 * version of its data arrives. Read per tenant, with the tenant in every condition: the runs and
 * their latest request of the same method and parameters, then the supersession of each dataset
 * tenant's versions, compared here (on Citus a join of a tenant's runs with another tenant's
 * datasets spans shards and is refused: docs/scaling.md §9.6).
 */
export async function outdatedRuns(
  m: EntityManager,
  tenantId: string,
): Promise<ComparisonRunRow[]> {
  // Times as microseconds since the epoch, compared exactly (a Date keeps milliseconds only).
  const runs = await m.query<
    { id: string; dataset_versions: DatasetVersion[]; requested_again_us: string }[]
  >(
    `select r.id, r.dataset_versions,
            (select (extract(epoch from max(n.created_at)) * 1000000)::bigint::text
             from comparison_runs n
             where n.tenant_id = r.tenant_id and n.method = r.method and n.parameters = r.parameters
               and n.status <> 'cancelled') as requested_again_us
     from comparison_runs r
     where r.tenant_id = $1 and r.status = 'completed' and not r.stale
     order by r.created_at, r.id`,
    [tenantId],
  );
  const versions = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const d of run.dataset_versions) {
      const ids = versions.get(d.tenantId) ?? new Set<string>();
      ids.add(d.id);
      versions.set(d.tenantId, ids);
    }
  }
  // When each superseded version's series got its current, published version (as RLS allows).
  const supersededAt = new Map<string, bigint>();
  for (const [owner, ids] of versions) {
    const rows = await m.query<{ id: string; published_us: string }[]>(
      `select old.id, (extract(epoch from max(cur.published_at)) * 1000000)::bigint::text as published_us
       from datasets old
       join datasets cur on cur.tenant_id = old.tenant_id and cur.series = old.series
                        and cur.is_current and cur.status = 'published'
       where old.tenant_id = $1 and old.id = any($2::uuid[]) and not old.is_current
       group by old.id`,
      [owner, [...ids]],
    );
    for (const r of rows) supersededAt.set(r.id, BigInt(r.published_us));
  }
  const outdated = runs.filter((run) =>
    run.dataset_versions.some((d) => {
      const at = supersededAt.get(d.id);
      // Not requested again since: every such run was created before the new version.
      return at !== undefined && BigInt(run.requested_again_us) < at;
    }),
  );
  if (outdated.length === 0) return [];
  return m.query<ComparisonRunRow[]>(
    `select * from comparison_runs where tenant_id = $1 and id = any($2::uuid[])
     order by created_at, id`,
    [tenantId, outdated.map((r) => r.id)],
  );
}

/**
 * The `comparison.recompute` job: for each outdated run (above) a new run with the same method
 * and parameters over the current dataset versions, queued like a request. Idempotent: a run whose
 * new result key is already queued, running or completed is not queued again, and the unique
 * in-flight index keeps concurrent jobs from queueing one twice.
 */
@Injectable()
export class ComparisonRecomputation {
  private readonly methods = defaultComparisonMethods();
  private readonly logger = new Logger(ComparisonRecomputation.name);

  constructor(
    private readonly tx: TenantTransactions,
    @InjectQueue(QUEUES.comparisons) private readonly queue: ComparisonQueue,
  ) {}

  /** Returns the ids of the runs it queued. */
  async recompute(tenantId: string): Promise<string[]> {
    const queued = await this.tx.inTenant(tenantId, async (m) => {
      // Every run's current datasets are read before anything is written: on Citus the
      // definer function that reads partners' versions may not touch shard placements this
      // transaction has written as the app role (docs/scaling.md §9.6).
      const planned: { run: ComparisonRunRow; datasets: DatasetVersion[] }[] = [];
      for (const run of await outdatedRuns(m, tenantId)) {
        if (!this.methods.has(run.method)) continue;
        planned.push({ run, datasets: await this.currentDatasetsOf(m, run) });
      }
      const created: string[] = [];
      for (const { run, datasets } of planned) {
        const id = await this.recomputeRun(m, run, datasets);
        if (id) created.push(id);
      }
      return created;
    });
    for (const id of queued) await enqueueRun(this.queue, tenantId, id);
    return queued;
  }

  private async currentDatasetsOf(
    m: EntityManager,
    run: ComparisonRunRow,
  ): Promise<DatasetVersion[]> {
    const method = this.methods.get(run.method);
    const parameters = run.parameters;
    const data = new ComparisonData(m, run.tenant_id);
    return data.currentDatasets(
      await data.tenants(parameters.population),
      [...contextMeasures(method, parameters), ...parameters.outcomeMeasures],
      outcomePeriods(parameters.period),
    );
  }

  private async recomputeRun(
    m: EntityManager,
    run: ComparisonRunRow,
    datasets: DatasetVersion[],
  ): Promise<string | null> {
    const method = this.methods.get(run.method);
    const parameters = run.parameters;
    const key = resultKey(method, parameters, datasets);
    const [existing] = await m.query<{ id: string }[]>(
      `select id from comparison_runs where tenant_id = $1 and result_key = $2
         and status in ('queued', 'running', 'completed') and not stale limit 1`,
      [run.tenant_id, key],
    );
    if (existing) return null;
    const [inserted] = await m.query<{ id: string }[]>(
      `insert into comparison_runs
         (tenant_id, id, requested_by, method, method_version, parameters, dataset_versions,
          status, message, result_key)
       values ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9)
       on conflict (tenant_id, result_key) where status in ('queued', 'running') do nothing
       returning id`,
      [
        run.tenant_id,
        randomUUID(),
        run.requested_by,
        method.id,
        method.version,
        JSON.stringify(parameters),
        JSON.stringify(datasets),
        `Recomputing run ${run.id} on new dataset versions; waiting for a worker`,
        key,
      ],
    );
    if (inserted)
      this.logger.log(`Run ${run.id} recomputed as ${inserted.id} (new dataset versions)`);
    return inserted?.id ?? null;
  }
}

/**
 * What keeps comparison runs moving when something outside them fails or changes, run by every
 * worker on a timer (`COMPARISON_UPKEEP_INTERVAL_SECONDS`), at start and whenever its Redis
 * connection comes back:
 * - a queued or running run whose job Redis no longer has (Redis restarted without persistence)
 *   gets its job again, so queued work is not lost; the run's claim and locked write keep a
 *   re-queued run from being computed into a second result set;
 * - a tenant with runs built on superseded dataset versions gets a `comparison.recompute` job
 *   (unless `COMPARISON_RECOMPUTE_ON_NEW_DATA` is false), deduplicated per tenant while queued.
 * Timers and not a repeatable BullMQ job: a Redis that lost its data lost the schedule too.
 * Several workers doing this at once is harmless: every step is idempotent.
 */
@Injectable()
export class ComparisonUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ComparisonUpkeep.name);
  private readonly recurring: RecurringSweep;

  constructor(
    private readonly tx: TenantTransactions,
    @InjectQueue(QUEUES.comparisons) private readonly queue: ComparisonQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.recurring = new RecurringSweep(
      'Comparison upkeep',
      queue,
      config.COMPARISON_UPKEEP_INTERVAL_SECONDS,
      () => this.sweep(),
    );
  }

  onApplicationBootstrap(): void {
    this.recurring.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.recurring.stop();
  }

  sweepSoon(): Promise<void> {
    return this.recurring.runSoon();
  }

  /** Every tenant: re-queue lost jobs, then ask for recomputation where data moved on. */
  async sweep(): Promise<{ requeued: string[]; recomputeRequested: string[] }> {
    const tenants = await this.tx.runOutsideTenant((m) =>
      m.query<{ id: string }[]>(`select id from tenants where kind = 'authority' order by id`),
    );
    const requeued: string[] = [];
    const recomputeRequested: string[] = [];
    for (const { id: tenantId } of tenants) {
      const { unfinished, outdated } = await this.tx.inTenant(tenantId, async (m) => ({
        unfinished: await m.query<{ id: string }[]>(
          `select id from comparison_runs where tenant_id = $1 and status in ('queued', 'running')`,
          [tenantId],
        ),
        outdated: this.config.COMPARISON_RECOMPUTE_ON_NEW_DATA
          ? await outdatedRuns(m, tenantId)
          : [],
      }));
      for (const { id } of unfinished) {
        if (await this.queue.getJob(id)) continue;
        await enqueueRun(this.queue, tenantId, id);
        requeued.push(id);
      }
      if (outdated.length > 0) {
        await this.queue.add(
          RECOMPUTE_JOB,
          { tenantId },
          { ...COMPARISON_JOB_OPTIONS, deduplication: { id: `${RECOMPUTE_JOB}:${tenantId}` } },
        );
        recomputeRequested.push(tenantId);
      }
    }
    if (requeued.length > 0) {
      this.logger.warn(`Re-queued ${requeued.length} comparison run(s) whose job was lost`);
    }
    return { requeued, recomputeRequested };
  }
}

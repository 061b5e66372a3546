import { fork } from 'node:child_process';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';

import {
  COMPARISON_JOB,
  COMPARISON_JOB_OPTIONS,
  ComparisonRunner,
  ComparisonRunProcessor,
  ComparisonRunsService,
  type ComparisonPhase,
} from '@schoolbench/comparisons';
import {
  benchmarkAgainstGroup,
  contextKnnV1,
  disadvantagedGap,
  fitContextualModel,
  schoolPopulation,
  trend,
} from '@schoolbench/comparisons-core';
import { QUEUES } from '@schoolbench/queue';
import { TenantContext, type Principal } from '@schoolbench/tenancy';
import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The worker as deployed; tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  CONTEXT_MEASURES,
  CONTEXT_PERIOD,
  insertDataset,
  ObservationLookup,
  OUTCOME_PERIODS,
} from './support/comparison-fixtures';
import { MEASURES, OWN, REFERENCE, RequestingSide } from './support/requesting-side';

interface RunRow {
  id: string;
  status: string;
  progress: number;
  attempts: number;
  error: string | null;
  message: string | null;
  dataset_versions: { tenantId: string; id: string }[];
  summary: Record<string, unknown>;
  parameters: { k: number };
}

/**
 * Comparison jobs end to end on the real Redis and Postgres: a request queued by the service, the
 * worker application processing it under the tenant's RLS, results checked against
 * comparisons-core; then faults, cancellation, reuse and two competing workers.
 */
describe('comparison jobs', () => {
  let db: TestDatabase;
  let requesting: INestApplicationContext;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let reference: SeededTenant;
  let analyst: Principal;
  let own: ReturnType<typeof comparisonObservations>;
  let shared: ReturnType<typeof comparisonObservations>;
  let lookup: ObservationLookup;

  const request = (input: Record<string, unknown>) =>
    requesting.get(TenantContext).runAs(analyst, () =>
      requesting.get(ComparisonRunsService).request({
        target: { allSchools: true },
        phase: 'primary',
        period: CONTEXT_PERIOD,
        outcomeMeasures: MEASURES,
        k: 5,
        ...input,
      }),
    );
  const cancel = (id: string) =>
    requesting
      .get(TenantContext)
      .runAs(analyst, () => requesting.get(ComparisonRunsService).cancel(id));
  const queue = () => requesting.get<Queue>(getQueueToken(QUEUES.comparisons));

  async function runRow(id: string): Promise<RunRow> {
    const [row] = await db.query<RunRow>('select * from comparison_runs where id = $1', [id]);
    return row;
  }

  async function waitFor(id: string, statuses: string[], timeoutMs = 30_000): Promise<RunRow> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await runRow(id);
      if (statuses.includes(row.status)) return row;
      if (Date.now() > until) throw new Error(`Run ${id} still ${row.status}: ${row.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function resultCounts(id: string): Promise<{ groups: number; benchmarks: number }> {
    const [counts] = await db.query<{ groups: number; benchmarks: number }>(
      `select (select count(*)::int from comparison_groups where run_id = $1) as groups,
              (select count(*)::int from comparison_benchmarks where run_id = $1) as benchmarks`,
      [id],
    );
    return counts;
  }

  const startWorker = async () => {
    const app = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await app.init();
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    reference = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      // 116001 is also published: the authority's own data about it must win.
      schools: [...REFERENCE, 116001].map((urn) => ({ urn, name: `Reference ${urn}` })),
    });
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      roles: ['analyst'],
      schools: [
        ...OWN.map((urn) => ({ urn, name: `Own ${urn}` })),
        { urn: 116900, name: 'Own secondary', phase: 'Secondary' },
      ],
    });
    analyst = {
      tenantId: a.id,
      userId: a.users.analyst!.id,
      role: 'analyst',
      schoolUrn: null,
      via: 'password',
    };
    own = comparisonObservations(OWN);
    shared = comparisonObservations([...REFERENCE, 116001], { variant: 'reference' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, reference.id, 'census', shared.context);
    await insertDataset(db, reference.id, 'ks2', shared.outcomes);
    lookup = new ObservationLookup(
      [...own.context, ...own.outcomes],
      [...shared.context, ...shared.outcomes],
    );
    requesting = await NestFactory.createApplicationContext(RequestingSide, {
      logger: false,
      abortOnError: false,
    });
    await requesting.init();
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await requesting?.close();
    await db?.drop();
  });

  afterEach(() => {
    worker.get(ComparisonRunner).checkpoint = () => undefined;
  });

  it('groups and benchmarks every own school exactly as comparisons-core does', async () => {
    const run = await request({});
    expect(run).toMatchObject({ status: 'queued', method: 'context-knn-v1', methodVersion: 1 });
    const done = await waitFor(run.id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', progress: 100, attempts: 1, error: null });
    expect(done.dataset_versions).toHaveLength(4);
    expect((await queue().getJob(run.id))?.progress).toBe(100);

    // The same population, built here straight from the fixture rows (own rows win).
    const urns = [...OWN, ...REFERENCE];
    const population = schoolPopulation(
      ['pct_fsm_ever', 'pct_eal', 'pct_sen_support', 'pct_ehc_plan', 'ln_pupils'],
      urns.map((urn) => {
        const [fsm, eal, sen, ehc, nor] = CONTEXT_MEASURES.map(
          (m) => lookup.get(urn, m, CONTEXT_PERIOD) as number,
        );
        return { urn, values: [fsm, eal, sen, ehc, Math.log(nor)] };
      }),
    );
    const groups = contextKnnV1.findGroups(population, { k: 5 });
    expect(done.summary).toMatchObject({
      populationSize: 32,
      populationExcluded: 0,
      targets: 8,
      excludedTargets: [],
      features: ['pct_fsm_ever', 'pct_eal', 'pct_sen_support', 'pct_ehc_plan', 'ln_pupils'],
    });

    const stored = await db.query<{
      urn: number;
      rank: number;
      neighbour_urn: number;
      neighbour_tenant_id: string;
      distance: number;
      feature_shares: Record<string, number>;
    }>(
      // Shares are stored in the order of the run's features: zipped back into an object here.
      `select g.urn, g.rank, g.neighbour_urn, g.neighbour_tenant_id, g.distance,
              (select jsonb_object_agg(f.name, f.share)
                    from unnest(r.features, g.feature_shares) as f(name, share)) as feature_shares
       from comparison_groups g join comparison_runs r on r.tenant_id = g.tenant_id and r.id = g.run_id
       where g.run_id = $1 order by g.urn, g.rank`,
      [run.id],
    );
    expect(stored).toHaveLength(8 * 5);
    for (const urn of OWN) {
      const expected = groups.groupOf(urn)!;
      const mine = stored.filter((g) => g.urn === urn);
      expect(mine.map((g) => g.neighbour_urn)).toEqual(expected.map((m) => m.urn));
      expect(mine.map((g) => g.distance)).toEqual(expected.map((m) => m.distance));
      expect(mine.map((g) => g.feature_shares)).toEqual(expected.map((m) => m.shares));
      expect(mine.map((g) => g.neighbour_tenant_id)).toEqual(
        expected.map((m) => (OWN.includes(m.urn) ? a.id : reference.id)),
      );
    }

    const benchmarks = await db.query<Record<string, unknown>>(
      'select * from comparison_benchmarks where run_id = $1 order by urn, measure, period',
      [run.id],
    );
    expect(benchmarks).toHaveLength(8 * MEASURES.length * OUTCOME_PERIODS.length);
    for (const row of benchmarks) {
      const urn = row.urn as number;
      const measure = row.measure as string;
      const period = String(row.period);
      const members = groups.groupOf(urn)!.map((m) => m.urn);
      const value = lookup.get(urn, measure, period);
      const b = benchmarkAgainstGroup(
        value,
        members.map((u) => lookup.get(u, measure, period)),
        'higher_better',
        { minGroupN: 1 },
      );
      const t = trend(
        OUTCOME_PERIODS.filter((p) => p <= period).map((p) => ({
          period: p,
          value: lookup.get(urn, measure, p),
        })),
      );
      const breakdown = (u: number) => ({
        disadvantaged: lookup.get(u, measure, period, 'disadvantaged'),
        notDisadvantaged: lookup.get(u, measure, period, 'not_disadvantaged'),
      });
      const gap = disadvantagedGap(breakdown(urn), members.map(breakdown));
      const model = fitContextualModel(
        population,
        new Map(urns.map((u) => [u, lookup.get(u, measure, period)])),
      );
      const row0 = urns.indexOf(urn);
      const expected = model.model.predict(
        Array.from(population.values.subarray(row0 * 5, row0 * 5 + 5)),
      );
      expect(row).toMatchObject({
        value: b.value ?? null,
        suppression: b.valueCode ?? null,
        group_n: b.groupN,
        median: b.median,
        q1: b.lowerQuartile,
        q3: b.upperQuartile,
        percentile_rank: b.percentileRank ?? null,
        rank: b.rank ?? null,
        rank_of: b.of ?? null,
        gap_to_median: b.gapToMedian ?? null,
        trend_slope: t.slope ?? null,
        trend_periods: [...t.periodsUsed],
        disadvantaged_gap: gap.schoolGap ?? null,
        group_disadvantaged_gap: gap.groupGap ?? null,
        expected_value: expected,
        residual: typeof value === 'number' ? value - expected : null,
        suppressed_count: b.suppressed.c,
        missing_count: b.missing,
      });
    }
    // A suppressed own value stays a code, and suppressed members are counted, not zeroed.
    expect(
      benchmarks.find(
        (r) => r.urn === 116004 && r.measure === 'ks2_rwm_expected_pct' && r.period === 201718,
      ),
    ).toMatchObject({
      value: null,
      suppression: 'c',
      rank: null,
    });
    expect(benchmarks.some((r) => (r.suppressed_count as number) > 0)).toBe(true);
  });

  it('reuses a completed run for an identical request, and recomputes on a new dataset version', async () => {
    const first = await request({ k: 4 });
    await waitFor(first.id, ['completed']);
    const jobsBefore = await queue().getJobCounts('completed', 'waiting', 'active');
    const again = await request({ k: 4, outcomeMeasures: [...MEASURES].reverse() });
    expect(again).toMatchObject({ id: first.id, status: 'completed' });
    expect(await queue().getJobCounts('completed', 'waiting', 'active')).toEqual(jobsBefore);

    // A corrected file: a new version of A's KS2 series. Same request, different data.
    const corrected = comparisonObservations(OWN, { variant: 'corrected' }).outcomes;
    const ks2 = await insertDataset(db, a.id, 'ks2', corrected, { version: 2 });
    const fresh = await request({ k: 4 });
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.datasetVersions).toContain(ks2);
    await waitFor(fresh.id, ['completed']);
    // Restore version 1 as current for the tests that follow.
    await db.query(
      `update datasets set is_current = false where tenant_id = $1 and series = 'ks2'`,
      [a.id],
    );
    await db.query(
      `update datasets set is_current = true where tenant_id = $1 and series = 'ks2' and version = 1`,
      [a.id],
    );
  });

  it('joins an identical run in flight instead of queueing a second one', async () => {
    const processor = worker.get(ComparisonRunProcessor);
    await processor.worker.pause();
    try {
      const first = await request({ k: 3 });
      const second = await request({ k: 3 });
      expect(second.id).toBe(first.id);
      expect(await queue().getJobCounts('waiting')).toEqual({ waiting: 1 });
      await processor.worker.resume();
      expect(await waitFor(first.id, ['completed', 'failed'])).toMatchObject({
        status: 'completed',
        attempts: 1,
      });
    } finally {
      await processor.worker.resume();
    }
  });

  it('fails mid-write without a partial result and completes on retry with one result set', async () => {
    const seen: string[] = [];
    worker.get(ComparisonRunner).checkpoint = async (phase: ComparisonPhase, id: string) => {
      const row = await runRow(id);
      if (row.parameters.k !== 6) return;
      seen.push(`${phase}:${row.attempts}`);
      if (phase === 'loaded' && row.attempts === 2) {
        // The first attempt's groups were inserted inside its transaction; none survived.
        expect(await resultCounts(id)).toEqual({ groups: 0, benchmarks: 0 });
      }
      if (phase === 'writing' && row.attempts === 1) throw new Error('injected: connection lost');
    };
    const run = await request({ k: 6 });
    const done = await waitFor(run.id, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null });
    expect(seen).toEqual([
      'loaded:1',
      'grouped:1',
      'benchmarked:1',
      'writing:1',
      'loaded:2',
      'grouped:2',
      'benchmarked:2',
      'writing:2',
    ]);
    expect(await resultCounts(run.id)).toEqual({
      groups: 8 * 6,
      benchmarks: 8 * MEASURES.length * OUTCOME_PERIODS.length,
    });
    const job = await queue().getJob(run.id);
    // BullMQ counts both attempts: the failed one and the one that completed.
    expect(job?.attemptsMade).toBe(2);
    expect(await job?.getState()).toBe('completed');
  });

  it('survives a worker process killed mid-write: nothing half written, one result set on retry', async () => {
    const processor = worker.get(ComparisonRunProcessor);
    await processor.worker.pause();
    const child = fork(
      join(__dirname, 'support/run-typescript.js'),
      [join(__dirname, 'support/comparison-worker-process.ts')],
      { env: process.env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      type Message = { ready?: boolean; phase?: string; runId?: string };
      const next = () =>
        new Promise<Message>((resolve, reject) => {
          child.once('message', (m) => resolve(m as Message));
          child.once('exit', (code) => reject(new Error(`worker process exited (${code})`)));
        });
      expect(await next()).toEqual({ ready: true });
      const writing = next();
      const run = await request({ k: 2 });
      expect(await writing).toEqual({ phase: 'writing', runId: run.id });
      // Groups are inserted inside the open transaction: nobody else can see them.
      expect(await resultCounts(run.id)).toEqual({ groups: 0, benchmarks: 0 });

      child.kill('SIGKILL');
      await exited;
      expect(await runRow(run.id)).toMatchObject({ status: 'running', attempts: 1 });
      expect(await resultCounts(run.id)).toEqual({ groups: 0, benchmarks: 0 });

      // The lock of the dead worker expires; this worker takes the job up again.
      await processor.worker.resume();
      const done = await waitFor(run.id, ['completed', 'failed'], 45_000);
      expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null });
      expect(await resultCounts(run.id)).toEqual({
        groups: 8 * 2,
        benchmarks: 8 * MEASURES.length * OUTCOME_PERIODS.length,
      });
    } finally {
      child.kill('SIGKILL');
      await processor.worker.resume();
    }
  }, 90_000);

  it('records a failure after the last attempt and does not retry an impossible request', async () => {
    const run = await request({ k: 40 });
    const done = await waitFor(run.id, ['failed', 'completed']);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error).toMatch(/k must be a whole number from 1 to 31/);
    expect(await resultCounts(run.id)).toEqual({ groups: 0, benchmarks: 0 });
  });

  it('cancels a waiting run (its job removed) and a running one (stopped without writing)', async () => {
    const processor = worker.get(ComparisonRunProcessor);
    await processor.worker.pause();
    const waiting = await request({ k: 7 });
    expect(await queue().getJob(waiting.id)).toBeDefined();
    expect(await cancel(waiting.id)).toMatchObject({ status: 'cancelled' });
    expect(await queue().getJob(waiting.id)).toBeUndefined();
    await processor.worker.resume();

    worker.get(ComparisonRunner).checkpoint = async (phase, id) => {
      if (phase === 'grouped') await cancel(id);
    };
    const running = await request({ k: 8 });
    const job = await queue().getJob(running.id);
    const result = await new Promise((resolve, reject) => {
      const poll = setInterval(() => {
        void job
          ?.getState()
          .then(async (state) => {
            if (state !== 'completed' && state !== 'failed') return;
            clearInterval(poll);
            resolve((await queue().getJob(running.id))?.returnvalue);
          })
          .catch(reject);
      }, 50);
    });
    expect(result).toMatchObject({ runId: running.id, status: 'cancelled' });
    expect(await runRow(running.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(await resultCounts(running.id)).toEqual({ groups: 0, benchmarks: 0 });
    expect(await runRow(waiting.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
  });

  it('cancels a run inside its result transaction: the cancel does not wait, nothing is written', async () => {
    // The result transaction is open (groups inserted) when the benchmarks are done: cancelling
    // then must neither block on the run row nor leave the inserted rows behind.
    let cancelledInside: unknown;
    worker.get(ComparisonRunner).checkpoint = async (phase, id) => {
      // The API is another process in service; here it shares the worker's async context, so
      // the cancel is kept out of the worker's open transaction explicitly.
      if (phase === 'benchmarked') {
        cancelledInside = await worker.get(TenantContext).withoutTransaction(() => cancel(id));
      }
    };
    const running = await request({ k: 17 });
    const done = await waitFor(running.id, ['cancelled', 'completed', 'failed']);
    expect(cancelledInside).toMatchObject({ status: 'cancelled' });
    expect(done).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(await resultCounts(running.id)).toEqual({ groups: 0, benchmarks: 0 });
    const job = await queue().getJob(running.id);
    for (let i = 0; i < 100 && !(await job?.isCompleted()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await queue().getJob(running.id))?.returnvalue).toMatchObject({ status: 'cancelled' });
  });

  it('never lets two workers on one queue process the same run twice', async () => {
    const second = await startWorker();
    const processed: string[] = [];
    const record = (name: string) => (phase: ComparisonPhase, id: string) => {
      if (phase === 'loaded') processed.push(`${id}:${name}`);
    };
    worker.get(ComparisonRunner).checkpoint = record('first');
    second.get(ComparisonRunner).checkpoint = record('second');
    try {
      const runs = [];
      for (let k = 9; k <= 16; k++) runs.push(await request({ k }));
      // Queueing a run's job again is a no-op: the run id is the job id.
      for (const run of runs) {
        await queue().add(
          COMPARISON_JOB,
          { tenantId: a.id, runId: run.id },
          { ...COMPARISON_JOB_OPTIONS, jobId: run.id },
        );
      }
      for (const run of runs) {
        expect(await waitFor(run.id, ['completed', 'failed'])).toMatchObject({
          status: 'completed',
          attempts: 1,
        });
        expect(await resultCounts(run.id)).toEqual({
          groups: 8 * (runs.indexOf(run) + 9),
          benchmarks: 8 * MEASURES.length * OUTCOME_PERIODS.length,
        });
      }
      const ids = processed.map((p) => p.split(':')[0]);
      expect(ids.sort()).toEqual(runs.map((r) => r.id).sort());
    } finally {
      await second.close();
    }
  });
});

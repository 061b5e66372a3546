import { getQueueToken } from '@nestjs/bullmq';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';

import {
  ComparisonRunProcessor,
  ComparisonRunsService,
  ComparisonUpkeep,
  RECOMPUTE_JOB,
} from '@schoolbench/comparisons';
import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { LoggingModule } from '@schoolbench/observability';
import { QueueModule, QUEUES } from '@schoolbench/queue';
import { TenancyModule, TenantContext, type Principal } from '@schoolbench/tenancy';
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
  CONTEXT_PERIOD,
  insertDataset,
} from './support/comparison-fixtures';

@Module({
  imports: [AppConfigModule, TenancyModule, LoggingModule, DatabaseModule, QueueModule],
  providers: [ComparisonRunsService],
})
class RequestingSide {}

const OWN = Array.from({ length: 8 }, (_, i) => 116001 + i);
const OTHER = Array.from({ length: 8 }, (_, i) => 121001 + i);
const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);
const MEASURES = ['ks2_rwm_expected_pct'];

interface RunRow {
  id: string;
  status: string;
  parameters: Record<string, unknown>;
  dataset_versions: { tenantId: string; id: string }[];
  requested_by: string | null;
  message: string | null;
  result_key: string;
}

/**
 * A new version of a dataset series queues recomputation of the completed runs that read an
 * older version, through the `comparison.recompute` job; once, however often the upkeep sweeps;
 * only in the publishing tenant; and not at all when switched off.
 */
describe('recomputing comparison runs when a dataset version is superseded', () => {
  let db: TestDatabase;
  let requesting: INestApplicationContext;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let b: SeededTenant;
  let analystA: Principal;
  let analystB: Principal;

  const principal = (t: SeededTenant): Principal => ({
    tenantId: t.id,
    userId: t.users.analyst!.id,
    role: 'analyst',
    schoolUrn: null,
    via: 'password',
  });
  const request = (who: Principal, k: number) =>
    requesting.get(TenantContext).runAs(who, () =>
      requesting.get(ComparisonRunsService).request({
        target: { allSchools: true },
        phase: 'primary',
        period: CONTEXT_PERIOD,
        outcomeMeasures: MEASURES,
        k,
      }),
    );
  const runsOf = (tenant: SeededTenant) =>
    db.query<RunRow>('select * from comparison_runs where tenant_id = $1 order by created_at', [
      tenant.id,
    ]);
  const queue = () => requesting.get<Queue>(getQueueToken(QUEUES.comparisons));

  async function waitFor(id: string, timeoutMs = 30_000): Promise<RunRow> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await db.query<RunRow>('select * from comparison_runs where id = $1', [id]);
      if (['completed', 'failed', 'cancelled'].includes(row.status)) return row;
      if (Date.now() > until) throw new Error(`Run ${id} still ${row.status}: ${row.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until no comparison job is waiting, delayed or running. */
  async function queueSettled(): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      const counts = await queue().getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > until) throw new Error(`queue busy: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function startWorker(env: Record<string, string> = {}) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const app = await NestFactory.createApplicationContext(WorkerModule, {
        logger: false,
        abortOnError: false,
      });
      await app.init();
      return app;
    } finally {
      process.env = saved;
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    const reference = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      schools: REFERENCE.map((urn) => ({ urn, name: `Reference ${urn}` })),
    });
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      roles: ['analyst'],
      schools: OWN.map((urn) => ({ urn, name: `Own ${urn}` })),
    });
    b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      roles: ['analyst'],
      schools: OTHER.map((urn) => ({ urn, name: `Other ${urn}` })),
    });
    analystA = principal(a);
    analystB = principal(b);
    for (const [tenant, urns] of [
      [a, OWN],
      [b, OTHER],
    ] as const) {
      const rows = comparisonObservations(urns);
      await insertDataset(db, tenant.id, 'census', rows.context);
      await insertDataset(db, tenant.id, 'ks2', rows.outcomes);
    }
    const shared = comparisonObservations(REFERENCE, { variant: 'reference' });
    await insertDataset(db, reference.id, 'census', shared.context);
    await insertDataset(db, reference.id, 'ks2', shared.outcomes);
    requesting = await NestFactory.createApplicationContext(RequestingSide, {
      logger: false,
      abortOnError: false,
    });
    await requesting.init();
    // A long upkeep interval: the test sweeps by hand, so it knows when a sweep happened.
    worker = await startWorker({ COMPARISON_UPKEEP_INTERVAL_SECONDS: '3600' });
  });

  afterAll(async () => {
    await worker?.close();
    await requesting?.close();
    await db?.drop();
  });

  it('queues one new run over the new version for each outdated run, once, in the publishing tenant only', async () => {
    const upkeep = worker.get(ComparisonUpkeep);
    const first = await request(analystA, 4);
    const other = await request(analystA, 5);
    const bRun = await request(analystB, 4);
    for (const run of [first, other, bRun]) {
      expect(await waitFor(run.id)).toMatchObject({ status: 'completed' });
    }
    // Nothing has changed yet: the sweep asks for nothing.
    expect(await upkeep.sweep()).toEqual({ requeued: [], recomputeRequested: [] });

    // A corrected KS2 file for A: version 2 of the series becomes current.
    const corrected = comparisonObservations(OWN, { variant: 'corrected' }).outcomes;
    const v2 = await insertDataset(db, a.id, 'ks2', corrected, { version: 2 });

    const swept = await upkeep.sweep();
    expect(swept).toEqual({ requeued: [], recomputeRequested: [a.id] });
    // Sweeping again while the recompute job is queued or running asks for nothing more.
    await upkeep.sweep();
    await queueSettled();

    const runs = await runsOf(a);
    expect(runs).toHaveLength(4);
    const recomputed = runs.slice(2);
    for (const [old, fresh] of [
      [first, recomputed.find((r) => r.parameters.k === 4)],
      [other, recomputed.find((r) => r.parameters.k === 5)],
    ] as const) {
      expect(fresh).toBeDefined();
      const done = await waitFor(fresh!.id);
      expect(done).toMatchObject({
        status: 'completed',
        parameters: (
          await db.query<RunRow>('select * from comparison_runs where id = $1', [old.id])
        )[0].parameters,
        requested_by: analystA.userId,
      });
      expect(done.dataset_versions.map((d) => d.id)).toContain(v2);
      expect(done.result_key).not.toBe(
        (
          await db.query<RunRow>('select result_key from comparison_runs where id = $1', [old.id])
        )[0].result_key,
      );
    }

    // Idempotent: later sweeps find nothing to recompute and queue nothing.
    expect(await upkeep.sweep()).toEqual({ requeued: [], recomputeRequested: [] });
    await queueSettled();
    expect(await runsOf(a)).toHaveLength(4);
    // B's runs read none of A's data: untouched.
    expect((await runsOf(b)).map((r) => r.id)).toEqual([bRun.id]);

    // The job itself is idempotent too: run again by hand, it queues nothing.
    const job = await queue().add(RECOMPUTE_JOB, { tenantId: a.id });
    const until = Date.now() + 30_000;
    while (!(await job.isCompleted()) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await queue().getJob(job.id!))?.returnvalue).toEqual({ queued: [] });
    expect(await runsOf(a)).toHaveLength(4);
  });

  it('recomputes nothing when COMPARISON_RECOMPUTE_ON_NEW_DATA is false', async () => {
    await worker.get(ComparisonRunProcessor).worker.pause();
    const switchedOff = await startWorker({
      COMPARISON_RECOMPUTE_ON_NEW_DATA: 'false',
      COMPARISON_UPKEEP_INTERVAL_SECONDS: '3600',
    });
    try {
      const before = (await runsOf(b)).length;
      await insertDataset(
        db,
        b.id,
        'ks2',
        comparisonObservations(OTHER, { variant: 'v2' }).outcomes,
        {
          version: 2,
        },
      );
      expect(await switchedOff.get(ComparisonUpkeep).sweep()).toEqual({
        requeued: [],
        recomputeRequested: [],
      });
      expect(await queue().getJobCounts('waiting')).toEqual({ waiting: 0 });
      expect(await runsOf(b)).toHaveLength(before);
    } finally {
      await switchedOff.close();
      await worker.get(ComparisonRunProcessor).worker.resume();
    }
  });
});

import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ComparisonRunner, ComparisonRunsService } from '@schoolbench/comparisons';
import { TenantContext, type Principal } from '@schoolbench/tenancy';
import { createTestDatabase, seedTenant, type TestDatabase } from '@schoolbench/testing';

// The worker as deployed; tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  CONTEXT_PERIOD,
  insertDataset,
  OUTCOME_PERIODS,
} from './support/comparison-fixtures';
import { PrivateRedis } from './support/private-redis';
import { MEASURES, OWN, REFERENCE, RequestingSide } from './support/requesting-side';

const BENCHMARKS_PER_RUN = OWN.length * MEASURES.length * OUTCOME_PERIODS.length;

/**
 * SPEC §12: Redis restarted during a comparison job. The queue runs on a Redis of this test's own
 * (no persistence, like the machine's), killed while a run is between its phases and another
 * waits behind it, then started again on the same port. Neither the worker nor the requesting
 * side is restarted. Both runs must complete with exactly one result set each, and a request
 * made after the restart must complete too.
 */
describe('comparison jobs across a Redis restart', () => {
  let redis: PrivateRedis;
  let db: TestDatabase;
  let requesting: INestApplicationContext;
  let worker: INestApplicationContext;
  let analyst: Principal;
  const env = {
    REDIS_URL: process.env.REDIS_URL,
    COMPARISON_UPKEEP_INTERVAL_SECONDS: process.env.COMPARISON_UPKEEP_INTERVAL_SECONDS,
  };

  const request = (k: number) =>
    requesting.get(TenantContext).runAs(analyst, () =>
      requesting.get(ComparisonRunsService).request({
        target: { allSchools: true },
        phase: 'primary',
        period: CONTEXT_PERIOD,
        outcomeMeasures: MEASURES,
        k,
      }),
    );

  async function waitFor(id: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await db.query<{ status: string; attempts: number; message: string }>(
        'select status, attempts, message from comparison_runs where id = $1',
        [id],
      );
      if (['completed', 'failed', 'cancelled'].includes(row.status)) return row;
      if (Date.now() > until) throw new Error(`Run ${id} still ${row.status}: ${row.message}`);
      await new Promise((r) => setTimeout(r, 100));
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

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    db = await createTestDatabase();
    db.useForServices();
    process.env.REDIS_URL = redis.url;
    // The upkeep sweep (re-queueing runs whose job Redis lost) every second instead of 30 s.
    process.env.COMPARISON_UPKEEP_INTERVAL_SECONDS = '1';
    const reference = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      schools: REFERENCE.map((urn) => ({ urn, name: `Reference ${urn}` })),
    });
    const a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      roles: ['analyst'],
      schools: OWN.map((urn) => ({ urn, name: `Own ${urn}` })),
    });
    analyst = {
      tenantId: a.id,
      userId: a.users.analyst!.id,
      role: 'analyst',
      schoolUrn: null,
      via: 'password',
    };
    const own = comparisonObservations(OWN);
    const shared = comparisonObservations(REFERENCE, { variant: 'reference' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, reference.id, 'census', shared.context);
    await insertDataset(db, reference.id, 'ks2', shared.outcomes);
    requesting = await NestFactory.createApplicationContext(RequestingSide, {
      logger: false,
      abortOnError: false,
    });
    await requesting.init();
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await requesting?.close();
    await db?.drop();
    await redis?.kill();
    Object.assign(process.env, env);
    if (env.COMPARISON_UPKEEP_INTERVAL_SECONDS === undefined) {
      delete process.env.COMPARISON_UPKEEP_INTERVAL_SECONDS;
    }
  });

  it('completes the running and the queued run once each, and serves new requests, without restarting anything', async () => {
    let restart: Promise<void> | null = null;
    const phases: string[] = [];
    worker.get(ComparisonRunner).checkpoint = async (phase, id) => {
      phases.push(`${id}:${phase}`);
      if (phase !== 'grouped' || restart) return;
      // Mid-job: Redis dies with everything it held (this job, its lock, the queued job).
      restart = (async () => {
        await redis.kill();
        await new Promise((r) => setTimeout(r, 1_500));
        await redis.startAgain();
      })();
      await restart;
    };

    const running = await request(5);
    const queued = await request(6);
    expect(queued.status).toBe('queued');

    const first = await waitFor(running.id);
    const second = await waitFor(queued.id);
    expect(restart).not.toBeNull();
    expect(first.status).toBe('completed');
    expect(second.status).toBe('completed');
    expect(await resultCounts(running.id)).toEqual({
      groups: OWN.length * 5,
      benchmarks: BENCHMARKS_PER_RUN,
    });
    expect(await resultCounts(queued.id)).toEqual({
      groups: OWN.length * 6,
      benchmarks: BENCHMARKS_PER_RUN,
    });
    // The run that was in the worker when Redis died was written by one attempt only.
    expect(phases.filter((p) => p === `${running.id}:writing`)).toHaveLength(1);

    // The requesting side (the API) and the worker carry on with the new Redis.
    const after = await request(7);
    expect(await waitFor(after.id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await resultCounts(after.id)).toEqual({
      groups: OWN.length * 7,
      benchmarks: BENCHMARKS_PER_RUN,
    });
  }, 120_000);
});

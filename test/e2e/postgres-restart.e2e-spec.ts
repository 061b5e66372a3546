import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ComparisonRunner } from '@schoolbench/comparisons';
import { DatasetImports } from '@schoolbench/datasets';
import { createMigratedDatabase, seedTenant, type TestDatabase } from '@schoolbench/testing';

// The API and the worker as deployed; e2e tests are the one place that imports apps.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  CONTEXT_PERIOD,
  insertDataset,
  OUTCOME_PERIODS,
} from '../integration/support/comparison-fixtures';
import { PrivatePostgres } from '../integration/support/private-postgres';
import { MEASURES, OWN, REFERENCE } from '../integration/support/requesting-side';

/** Long enough that BullMQ's three attempts (1 s and 2 s apart) all fall inside the outage. */
const OUTAGE_MS = 5_000;
/** A response slower than this is a hang: an outage must be answered, not waited out. */
const HANG_MS = 20_000;
const CLIENTS = 10;
const BENCHMARKS_PER_RUN = OWN.length * MEASURES.length * OUTCOME_PERIODS.length;

type Outcome =
  { kind: 'ok' } | { kind: 'unavailable' } | { kind: 'wrong'; operation: string; detail: string };

interface Operation {
  name: string;
  token: () => string;
  /** GraphQL, or a REST GET path. */
  query?: string;
  variables?: Record<string, unknown>;
  rest?: string;
}

/**
 * SPEC §12: PostgreSQL restarted while the API and a worker serve a load. The cluster is the
 * test's own (the shared server is never touched). Every response during the outage must be a
 * clean, retryable 503 (`SERVICE_UNAVAILABLE` with Retry-After) — never "sign in first" for a
 * valid token, never INTERNAL_SERVER_ERROR, never a hang; the API recovers without a restart;
 * the comparison run that was in the worker and the one queued behind it complete once each,
 * and a request refused during the outage wrote nothing. Then a large upload (the worker's
 * import path) meets a restart inside its import transaction and is published once.
 */
describe('the API and a worker across a PostgreSQL restart', () => {
  let pg: PrivatePostgres;
  let db: TestDatabase;
  let api: INestApplication;
  let worker: INestApplicationContext;
  let base: string;
  const tokens: Record<string, string> = {};
  const saved = { ...process.env };

  async function send(
    op: Operation,
  ): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
    const res = await fetch(`${base}${op.rest ?? '/graphql'}`, {
      method: op.rest ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${op.token()}` },
      body: op.rest
        ? undefined
        : JSON.stringify({ query: op.query, variables: op.variables ?? {} }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // CSV from a REST route
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
  }

  /** What a client may see: success, or a clean retryable refusal. Anything else is wrong. */
  async function attempt(op: Operation): Promise<Outcome> {
    let res: Awaited<ReturnType<typeof send>>;
    try {
      res = await send(op);
    } catch (error) {
      return { kind: 'wrong', operation: op.name, detail: `no answer: ${String(error)}` };
    }
    const body = res.body as { errors?: { extensions?: { code?: string } }[]; code?: string };
    const codes = op.rest
      ? typeof body === 'object' && body?.code
        ? [body.code]
        : []
      : (body.errors ?? []).map((e) => e.extensions?.code);
    if (res.status === 200 && codes.length === 0) return { kind: 'ok' };
    if (
      res.status === 503 &&
      codes.length > 0 &&
      codes.every((c) => c === 'SERVICE_UNAVAILABLE') &&
      Number(res.retryAfter) > 0
    ) {
      return { kind: 'unavailable' };
    }
    return {
      kind: 'wrong',
      operation: op.name,
      detail: `${res.status} ${JSON.stringify(body).slice(0, 300)} retry-after=${res.retryAfter}`,
    };
  }

  const requestRun = (k: number) => ({
    name: 'requestComparison',
    token: () => tokens.analyst,
    query: `mutation($input: ComparisonRequestInput!) { requestComparison(input: $input) { id status } }`,
    variables: {
      input: {
        target: { allSchools: true },
        phase: 'primary',
        period: CONTEXT_PERIOD,
        outcomeMeasures: MEASURES,
        k,
      },
    },
  });

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    db = await createMigratedDatabase(pg.adminUrl);
    db.useForServices();
    process.env.JWT_SECRET = randomBytes(32).toString('hex');
    // The comparison upkeep sweep every second: it must not be what rescues the runs.
    process.env.COMPARISON_UPKEEP_INTERVAL_SECONDS = '1';
    // Uploads above 100 kB (the KS2 files are ~440 kB) are imported by the worker.
    process.env.IMPORT_IN_BACKGROUND_ABOVE_BYTES = '100000';
    await seedTenant(db, { kind: 'platform', name: 'SchoolBench platform' });
    const reference = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      schools: REFERENCE.map((urn) => ({ urn, name: `Reference ${urn}` })),
    });
    const a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: OWN.map((urn) => ({ urn, name: `Own ${urn}` })),
    });
    const b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121901, name: 'Zetland B' }],
    });
    const own = comparisonObservations(OWN);
    const shared = comparisonObservations(REFERENCE, { variant: 'reference' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, reference.id, 'census', shared.context);
    await insertDataset(db, reference.id, 'ks2', shared.outcomes);

    api = await createApiApp();
    await api.listen(0, '127.0.0.1');
    base = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();

    const login = async (key: string, email: string, password: string) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
          variables: { e: email, p: password },
        }),
      });
      const body = (await res.json()) as { data: { login: { accessToken: string } } };
      tokens[key] = body.data.login.accessToken;
    };
    for (const [key, user] of [
      ['admin', a.users.la_admin],
      ['analyst', a.users.analyst],
      ['headteacher', a.users.headteacher],
      ['governor', a.users.governor],
      ['partner', b.users.analyst],
    ] as const) {
      await login(key, user!.email, user!.password);
    }
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop().catch(() => undefined);
    await pg?.destroy();
    process.env = saved;
  });

  it('answers 503 with Retry-After while it is down, recovers by itself and completes queued work once', async () => {
    const operations: Operation[] = [
      {
        name: 'me',
        token: () => tokens.analyst,
        query: '{ me { user { role } tenant { laCode } } }',
      },
      {
        name: 'schools',
        token: () => tokens.analyst,
        query: '{ schools(first: 5) { totalCount nodes { urn name } } }',
      },
      {
        name: 'school (headteacher)',
        token: () => tokens.headteacher,
        query: `{ school(urn: ${OWN[0]}) { urn name observations { measure value } } }`,
      },
      { name: 'me (governor)', token: () => tokens.governor, query: '{ me { user { role } } }' },
      {
        name: 'users (LA admin)',
        token: () => tokens.admin,
        query: '{ users(first: 5) { totalCount } }',
      },
      {
        name: 'partner schools',
        token: () => tokens.partner,
        query: '{ schools(source: PARTNERS, first: 5) { totalCount } }',
      },
      {
        name: 'comparisonRuns',
        token: () => tokens.analyst,
        query: '{ comparisonRuns(first: 5) { totalCount } }',
      },
      { name: 'GET /api/access-log.csv', token: () => tokens.admin, rest: '/api/access-log.csv' },
    ];

    // The worker stops the database once it has grouped the first run: that run then meets the
    // outage in its next statement, and the second waits in the queue behind it.
    let down = false;
    let outage: Promise<void> | undefined;
    let firstRun = '';
    const phases: string[] = [];
    worker.get(ComparisonRunner).checkpoint = async (phase, runId) => {
      phases.push(`${runId}:${phase}`);
      if (phase !== 'grouped' || runId !== firstRun || outage) return;
      let stopped!: () => void;
      const isDown = new Promise<void>((resolve) => (stopped = resolve));
      outage = (async () => {
        await pg.stop();
        down = true;
        stopped();
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        await pg.startAgain();
        down = false;
      })();
      await isDown;
    };

    const outcomes: Outcome[] = [];
    const duringOutage: Outcome[] = [];
    let loading = true;
    const load = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = client; loading; i++) {
        const wasDown = down;
        const outcome = await attempt(operations[i % operations.length]);
        outcomes.push(outcome);
        if (wasDown && down) duringOutage.push(outcome);
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    try {
      const first = (await send(requestRun(5))).body as {
        data: { requestComparison: { id: string } };
      };
      firstRun = first.data.requestComparison.id;
      const second = (await send(requestRun(6))).body as {
        data: { requestComparison: { id: string; status: string } };
      };
      const secondRun = second.data.requestComparison.id;

      const until = Date.now() + 60_000;
      while (!down && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(down).toBe(true);
      // A request that needs the database while it is down writes nothing.
      expect(await attempt(requestRun(7))).toEqual({ kind: 'unavailable' });
      await outage;

      // Recovered without restarting anything: every operation succeeds again.
      const recovered = Date.now() + 30_000;
      for (;;) {
        const after = await Promise.all(operations.map(attempt));
        if (after.every((o) => o.kind === 'ok')) break;
        if (Date.now() > recovered) throw new Error(`Not recovered: ${JSON.stringify(after)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      loading = false;
      await Promise.all(load);

      expect(outcomes.filter((o) => o.kind === 'wrong')).toEqual([]);
      // The load met the outage, and was told to retry.
      expect(duringOutage.filter((o) => o.kind === 'unavailable').length).toBeGreaterThan(0);

      const finished = Date.now() + 90_000;
      let runs: { id: string; status: string; groups: number; benchmarks: number }[] = [];
      for (;;) {
        runs = await db.query(
          `select r.id, r.status,
                  (select count(*)::int from comparison_groups g where g.run_id = r.id) as groups,
                  (select count(*)::int from comparison_benchmarks b where b.run_id = r.id) as benchmarks
           from comparison_runs r order by r.created_at`,
        );
        if (runs.every((r) => ['completed', 'failed', 'cancelled'].includes(r.status))) break;
        if (Date.now() > finished) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // Exactly the two runs accepted before the outage, each completed with one result set.
      expect(runs).toEqual([
        {
          id: firstRun,
          status: 'completed',
          groups: OWN.length * 5,
          benchmarks: BENCHMARKS_PER_RUN,
        },
        {
          id: secondRun,
          status: 'completed',
          groups: OWN.length * 6,
          benchmarks: BENCHMARKS_PER_RUN,
        },
      ]);
      // Each run's results were written by one attempt only.
      for (const id of [firstRun, secondRun]) {
        expect(phases.filter((p) => p === `${id}:writing`)).toHaveLength(1);
      }
    } finally {
      loading = false;
      await Promise.all(load);
      await outage;
    }
  }, 240_000);
  it('publishes a large upload once when the database restarts inside its import transaction', async () => {
    const file = readFileSync(
      join(__dirname, '../../../shared/data/dfe/la-850-hampshire/2018-2019_850_ks2final.csv'),
    );
    let outage: Promise<void> | undefined;
    const phases: string[] = [];
    // Every row is written inside the import's open transaction when the database stops.
    worker.get(DatasetImports).checkpoint = async (phase) => {
      phases.push(phase);
      if (phase !== 'publishing' || outage) return;
      let stopped!: () => void;
      const isDown = new Promise<void>((resolve) => (stopped = resolve));
      outage = (async () => {
        await pg.stop();
        stopped();
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        await pg.startAgain();
      })();
      await isDown;
    };
    const form = new FormData();
    form.append('file', new Blob([file]), '2018-2019_850_ks2final.csv');
    const res = await fetch(`${base}/api/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const { datasetId } = (await res.json()) as { datasetId: string };

    // Generous: the second attempt parses the file again, slowly on a loaded machine.
    const until = Date.now() + 400_000;
    // The superuser's queries wait until the database is back (a client it ends under is an
    // unhandled error event in this process, not the API's).
    while (!outage && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await outage;
    let rows: { status: string; is_current: boolean; observation_count: number }[] = [];
    for (;;) {
      rows = await db.query<{ status: string; is_current: boolean; observation_count: number }>(
        `select status, is_current, observation_count from datasets
           where series = (select series from datasets where id = $1)`,
        [datasetId],
      );
      if (rows[0] && ['published', 'failed'].includes(rows[0].status)) break;
      if (Date.now() > until) throw new Error(`Import still ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await outage;
    expect(outage).toBeDefined();
    // One dataset of the series, published once, every observation once, no chunks left.
    expect(rows).toEqual([
      { status: 'published', is_current: true, observation_count: expect.any(Number) },
    ]);
    const [stored] = await db.query<{ observations: number; unique_cells: number; chunks: number }>(
      `select (select count(*)::int from observations where dataset_id = $1) as observations,
              (select count(*)::int from (select distinct urn, measure, time_period, breakdown
                 from observations where dataset_id = $1) o) as unique_cells,
              (select count(*)::int from dataset_upload_chunks where dataset_id = $1) as chunks`,
      [datasetId],
    );
    expect(stored).toEqual({
      observations: rows[0].observation_count,
      unique_cells: rows[0].observation_count,
      chunks: 0,
    });
    expect(rows[0].observation_count).toBeGreaterThan(1000);
    // The attempt that met the outage reached publishing, and so did the one that published.
    expect(phases.filter((p) => p === 'publishing').length).toBeGreaterThanOrEqual(2);
  }, 480_000);
});

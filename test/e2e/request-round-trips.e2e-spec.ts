import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';

import { graphql, signIn } from '@schoolbench/testing';

// The web dashboard calls the same services: its page reads take the same request path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { SESSION_COOKIE } from '../../apps/web/src/session/cookies';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WebSessions } from '../../apps/web/src/session/web-sessions';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createWebApp } from '../../apps/web/src/web-app';
// The worker as deployed, beside the API under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { comparisonObservations, insertDataset } from '../integration/support/comparison-fixtures';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const MORE_OWN = [116010, 116011, 116012, 116013, 116014, 116015];
const OWN_PRIMARY = [116001, 116002, ...MORE_OWN];
const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);
const MEASURES = ['ks2_rwm_expected_pct', 'ks2_reading_progress'];

const NESTED = `query($id: ID!, $urn: Int!) { comparisonRun(id: $id) { id status
  groups(urn: $urn) { urn members { rank urn name laCode distance featureShares { feature share } } }
  benchmarks(urn: $urn) { urn measure period value median lowerQuartile upperQuartile
    percentileRank rank rankOf gapToMedian trendSlope } } }`;

/**
 * Every statement sent to Postgres by any client of this process while `work` runs; `waited`
 * has, for each, how many statements had been answered when it was sent (statements sent with
 * the same count went out without waiting for one another).
 */
async function statementsDuring(
  work: () => Promise<unknown>,
  waited: number[] = [],
): Promise<string[]> {
  const sent: string[] = [];
  let answered = 0;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [text] = args;
    sent.push(typeof text === 'string' ? text : String((text as { text?: string })?.text));
    waited.push(answered);
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      result.then(
        () => answered++,
        () => answered++,
      );
    }
    return result;
  };
  try {
    await work();
  } finally {
    proto.query = query;
  }
  return sent;
}

const opens = (sent: string[]) => sent.filter((s) => /^\s*(begin|start transaction)/i.test(s));
const ends = (sent: string[]) => sent.filter((s) => /^\s*(commit|rollback)\s*$/i.test(s));

/**
 * The request path's database round trips (ADR 0040): a GraphQL query is one tenant transaction
 * shared by its resolvers, opened by the sign-in check in the same round trip and committed once.
 * Per-resolver transactions (BEGIN, set_config, COMMIT each) would multiply them.
 */
describe('round trips per request', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let headteacher: string;
  let analyst: string;
  let runId: string;

  beforeAll(async () => {
    api = await startApiUnderTest({ LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    const { db, a, publicData } = api;
    for (const urn of MORE_OWN) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, $3, 'Primary', '850')`,
        [a.id, urn, `Hampshire Primary ${urn}`],
      );
    }
    for (const urn of REFERENCE) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase) values ($1, $2, $3, 'Primary')`,
        [publicData.id, urn, `England Primary ${urn}`],
      );
    }
    await db.query(`update datasets set is_current = false where id = $1`, [api.aData.id]);
    const own = comparisonObservations(OWN_PRIMARY, {});
    const reference = comparisonObservations(REFERENCE, { variant: 'england' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, publicData.id, 'census', reference.context);
    await insertDataset(db, publicData.id, 'ks2', reference.outcomes);
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
    headteacher = await signIn(api.app, a.users.headteacher!.email, a.users.headteacher!.password);
    analyst = await signIn(api.app, a.users.analyst!.email, a.users.analyst!.password);
    const requested = await graphql(
      api.app,
      `
        mutation ($input: ComparisonRequestInput!) {
          requestComparison(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          target: { urn: 116001 },
          phase: 'primary',
          period: '201819',
          outcomeMeasures: MEASURES,
        },
      },
      { token: headteacher },
    );
    runId = requested.data!.requestComparison.id;
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await graphql(
        api.app,
        'query($id: ID!) { comparisonRun(id: $id) { status } }',
        { id: runId },
        { token: headteacher },
      );
      if (res.data?.comparisonRun.status === 'COMPLETED') break;
      if (Date.now() > until) throw new Error(`run ${runId}: ${JSON.stringify(res)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The worker is idle from here: whatever the test counts is the request's.
    await worker.close();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('the nested headteacher query: one transaction, opened with the sign-in check, a handful of round trips', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let answer: { data?: any; errors?: unknown[] } | undefined;
    // Once first: the process looks a few constants up on first use (the public tenant's id).
    await graphql(api.app, NESTED, { id: runId, urn: 116001 }, { token: headteacher });
    const waited: number[] = [];
    const sent = await statementsDuring(async () => {
      answer = await graphql(api.app, NESTED, { id: runId, urn: 116001 }, { token: headteacher });
    }, waited);
    expect(answer!.errors).toBeUndefined();
    expect(answer!.data!.comparisonRun.groups[0].members.length).toBeGreaterThan(0);
    expect(answer!.data!.comparisonRun.benchmarks.length).toBeGreaterThan(0);
    // One transaction, at REPEATABLE READ (ADR 0031), begun together with the tenant setting and
    // the sign-in check: in one round trip.
    expect(opens(sent)).toHaveLength(1);
    expect(opens(sent)[0]).toMatch(/^begin isolation level repeatable read; select set_config/i);
    expect(opens(sent)[0]).toMatch(/from users u/);
    expect(ends(sent)).toEqual(['commit']);
    // The run's served check (app_run_lost_grant) once, not once per resolver.
    expect(sent.filter((s) => s.includes('app_run_lost_grant'))).toHaveLength(1);
    // Own and public neighbours only: no access-log lookups.
    expect(sent.filter((s) => /sharing_grants|sharing_reach/.test(s) && !/^begin/.test(s))).toEqual(
      [],
    );
    // Opening with the sign-in check, the run (served check), groups, benchmarks (with what makes
    // them honest as served: minimum group size, cohorts, limits, in the same statement), commit:
    // 5. Per-resolver transactions would add three per resolver.
    if (process.env.SHOW_ROUND_TRIPS) process.stdout.write(`nested: ${sent.length}\n`);
    expect(sent.filter((s) => /\bobservations o\b/.test(s))).toHaveLength(1);
    expect(sent.length).toBeLessThanOrEqual(5);
    // The run's groups and benchmarks go out with its served check (read ahead, served once the
    // check has passed), not after its answer: the three are sent while only the opening has
    // been answered. So the answer waits for 2 round trips (the opening, then these three).
    const after = (pattern: RegExp) => sent.flatMap((s, i) => (pattern.test(s) ? [waited[i]] : []));
    expect(after(/app_run_lost_grant/)).toEqual([1]);
    expect(after(/comparison_groups g\b/)).toEqual([1]);
    expect(after(/from comparison_benchmarks b/)).toEqual([1]);
  });

  it('a query with several root fields still shares the one transaction and sign-in check', async () => {
    const sent = await statementsDuring(async () => {
      const res = await graphql(
        api.app,
        `
          query ($id: ID!) {
            a: comparisonRun(id: $id) {
              status
            }
            b: comparisonRun(id: $id) {
              id
            }
            me {
              user {
                role
              }
            }
          }
        `,
        { id: runId },
        { token: headteacher },
      );
      expect(res.errors).toBeUndefined();
    });
    expect(opens(sent)).toHaveLength(1);
    expect(ends(sent)).toEqual(['commit']);
    expect(sent.filter((s) => /from users u/.test(s))).toHaveLength(1);
  });

  it('the analyst list query names the tenant and takes few round trips', async () => {
    const sent = await statementsDuring(async () => {
      const res = await graphql(
        api.app,
        `
          query ($m: [String!], $p: [String!]) {
            schools(first: 50) {
              nodes {
                urn
                observations(filter: { measures: $m, periods: $p }) {
                  measure
                  value
                }
              }
            }
          }
        `,
        { m: MEASURES, p: ['201718', '201819'] },
        { token: analyst },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.schools.nodes.length).toBeGreaterThan(0);
    });
    expect(opens(sent)).toHaveLength(1);
    expect(ends(sent)).toEqual(['commit']);
    if (process.env.SHOW_ROUND_TRIPS) process.stdout.write(`list: ${sent.length}\n`);
    // Opening, the page of schools (no count: totalCount is not asked for), observations, commit.
    expect(sent.filter((s) => /count\(/i.test(s))).toEqual([]);
    expect(sent.length).toBeLessThanOrEqual(4);
  });

  it('a query answered with an error still ends its transaction and returns its connection', async () => {
    const sent = await statementsDuring(async () => {
      const res = await graphql(
        api.app,
        'query($id: ID!) { comparisonRun(id: $id) { status } }',
        { id: 'not-a-uuid' },
        { token: headteacher },
      );
      expect(res.errors?.length).toBeGreaterThan(0);
    });
    expect(ends(sent)).toHaveLength(1);
    // Every pooled connection is idle and outside a transaction afterwards.
    const monitor = new Client({ connectionString: api.db.adminUrl });
    await monitor.connect();
    try {
      const { rows } = await monitor.query<{ state: string }>(
        `select state from pg_stat_activity where datname = current_database()
           and usename = 'schoolbench_app' and state like 'idle in transaction%'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await monitor.end();
    }
  });

  describe('web pages', () => {
    let web: NestExpressApplication;
    let cookie: string;

    beforeAll(async () => {
      web = await createWebApp();
      await web.init();
      const user = api.a.users.headteacher!;
      const { id } = await web
        .get(WebSessions)
        .open(user.email, user.password, () => Promise.resolve('Hampshire'));
      cookie = `${SESSION_COOKIE}=${id}`;
    });

    afterAll(async () => {
      await web?.close();
    });

    it.each([
      ['a school’s profile', '/schools/116001', 7],
      ['similar schools', '/schools/116001/similar', 6],
      ['benchmarks', '/schools/116001/benchmarks', 6],
      ['the clubs list', '/clubs', 5],
    ])(
      '%s is one transaction: opened with the sign-in check, committed once',
      async (_what, path, bound) => {
        const page = () => request(web.getHttpServer()).get(path).set('Cookie', cookie);
        expect((await page()).status).toBe(200);
        let status = 0;
        const sent = await statementsDuring(async () => {
          status = (await page()).status;
        });
        expect(status).toBe(200);
        if (process.env.SHOW_ROUND_TRIPS) process.stdout.write(`${path}: ${sent.length}\n`);
        expect(opens(sent)).toHaveLength(1);
        expect(opens(sent)[0]).toMatch(/from users u/);
        expect(ends(sent)).toEqual(['commit']);
        expect(sent.length).toBeLessThanOrEqual(bound);
      },
    );
  });
});

import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueEvents } from 'bullmq';
import { Client } from 'pg';

import { earlyWarning } from '@schoolbench/comparisons-core';
import { QUEUES, redisOptions } from '@schoolbench/queue';
import { configuredDistribution } from '@schoolbench/tenancy';
import { errorCode, graphql, signIn } from '@schoolbench/testing';

// The worker as deployed, beside the API under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  insertDataset,
  ObservationLookup,
  OUTCOME_PERIODS,
} from '../integration/support/comparison-fixtures';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const MORE_OWN = [116010, 116011, 116012, 116013, 116014, 116015];
const OWN_PRIMARY = [116001, 116002, ...MORE_OWN];
const STRUGGLING = 116012;
const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);
const RWM = 'ks2_rwm_expected_pct';

const RUN_FIELDS = 'id status progress message method parameters { targetUrn allSchools k }';
const BENCHMARK_FIELDS = `runId urn measure period value suppression groupN median lowerQuartile
  upperQuartile percentileRank rank rankOf gapToMedian trendSlope trendPeriods disadvantagedGap
  groupDisadvantagedGap disadvantagedGapDifference expectedValue residual suppressedCount`;

/**
 * SPEC §2 journeys 3 and 4 through GraphQL, with a real worker on the real queue: a headteacher
 * benchmarks their school (request → progress → similar schools with reasons → benchmarks); an
 * analyst benchmarks every school, reads three years with group medians and the early warnings.
 */
describe('comparisons over GraphQL (journeys 3 and 4)', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let headteacher: string;
  let analyst: string;
  let governor: string;
  let lookup: ObservationLookup;
  let headteacherRun: string;
  let analystRun: string;

  const gql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token });

  async function untilFinished(token: string, id: string): Promise<{ statuses: string[] }> {
    const statuses: string[] = [];
    const until = Date.now() + 30_000;
    for (;;) {
      const res = await gql(
        token,
        `query($id: ID!) { comparisonRun(id: $id) { ${RUN_FIELDS} error } }`,
        { id },
      );
      const run = res.data!.comparisonRun;
      if (statuses.at(-1) !== run.status) statuses.push(run.status);
      // A failed run says why in the test's output (its error), not only that it failed.
      if (run.status === 'FAILED') statuses.push(`error: ${run.error}`);
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status)) return { statuses };
      if (Date.now() > until) throw new Error(`run ${id} still ${run.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

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
    // The fixture's one-year RWM dataset is superseded by three years of KS2 results.
    await db.query(`update datasets set is_current = false where id = $1`, [api.aData.id]);
    const own = comparisonObservations(OWN_PRIMARY, { struggling: [STRUGGLING] });
    const reference = comparisonObservations(REFERENCE, { variant: 'england' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, publicData.id, 'census', reference.context);
    await insertDataset(db, publicData.id, 'ks2', reference.outcomes);
    lookup = new ObservationLookup(own.outcomes, reference.outcomes);

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
    const user = (role: 'headteacher' | 'analyst' | 'governor') => a.users[role]!;
    headteacher = await signIn(api.app, user('headteacher').email, user('headteacher').password);
    analyst = await signIn(api.app, user('analyst').email, user('analyst').password);
    governor = await signIn(api.app, user('governor').email, user('governor').password);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('journey 3: a headteacher requests similar schools, sees progress, then the group and benchmarks', async () => {
    expect(api.a.users.headteacher!.schoolUrn).toBe(116001);
    const events = new QueueEvents(QUEUES.comparisons, {
      connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: api.db.redisPrefix,
    });
    await events.waitUntilReady();
    const progress: number[] = [];
    events.on('progress', ({ data }) => progress.push(Number(data)));
    try {
      const requested = await gql(
        headteacher,
        `mutation($input: ComparisonRequestInput!) { requestComparison(input: $input) { ${RUN_FIELDS} } }`,
        {
          input: {
            target: { urn: 116001 },
            phase: 'primary',
            period: '201819',
            outcomeMeasures: [RWM, 'ks2_reading_progress'],
          },
        },
      );
      expect(requested.errors).toBeUndefined();
      const run = requested.data!.requestComparison;
      expect(run).toMatchObject({
        status: 'QUEUED',
        progress: 0,
        method: 'context-knn-v1',
        parameters: { targetUrn: 116001, allSchools: false, k: 20 },
      });
      headteacherRun = run.id;
      const { statuses } = await untilFinished(headteacher, run.id);
      expect(statuses.at(-1)).toBe('COMPLETED');
      expect(statuses[0]).toMatch(/QUEUED|RUNNING|COMPLETED/);
      // Queue events arrive on their own connection: give the last one a moment.
      for (let i = 0; i < 100 && !progress.includes(100); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(progress).toEqual([5, 30, 60, 90, 100]);
    } finally {
      await events.close();
    }

    const res = await gql(
      headteacher,
      `query($id: ID!) { comparisonRun(id: $id) { status progress summary { populationSize targets }
         groups { urn members { rank urn name source distance featureShares { feature label share } } }
         benchmarks { ${BENCHMARK_FIELDS} } } }`,
      { id: headteacherRun },
    );
    expect(res.errors).toBeUndefined();
    const result = res.data!.comparisonRun;
    expect(result).toMatchObject({ status: 'COMPLETED', progress: 100 });
    expect(result.summary).toEqual({ populationSize: 32, targets: 1 });
    expect(result.groups).toHaveLength(1);
    const members = result.groups[0].members;
    expect(result.groups[0].urn).toBe(116001);
    // The 20 most similar schools, own and DfE's, with the distance and its reasons.
    expect(members).toHaveLength(20);
    expect(members.map((m: { rank: number }) => m.rank)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const distances = members.map((m: { distance: number }) => m.distance);
    expect([...distances].sort((x, y) => x - y)).toEqual(distances);
    expect(new Set(members.map((m: { source: string }) => m.source))).toEqual(
      new Set(['OWN', 'REFERENCE']),
    );
    for (const m of members) {
      expect(m.name).toMatch(/Primary/);
      expect(m.featureShares.map((f: { feature: string }) => f.feature).sort()).toEqual(
        ['ln_pupils', 'pct_eal', 'pct_ehc_plan', 'pct_fsm_ever', 'pct_sen_support'].sort(),
      );
      const total = m.featureShares.reduce((s: number, f: { share: number }) => s + f.share, 0);
      expect(total).toBeCloseTo(1, 12);
    }
    // Every outcome measure: value, median, quartiles, percentile, rank of n, gap, trend, gaps.
    expect(result.benchmarks).toHaveLength(2 * OUTCOME_PERIODS.length);
    const latest = result.benchmarks.find(
      (b: { measure: string; period: string }) => b.measure === RWM && b.period === '201819',
    );
    expect(latest).toMatchObject({
      runId: headteacherRun,
      urn: 116001,
      value: lookup.get(116001, RWM, '201819'),
      groupN: 20,
      rankOf: 21,
      trendPeriods: ['201617', '201718', '201819'],
    });
    for (const key of [
      'median',
      'lowerQuartile',
      'upperQuartile',
      'percentileRank',
      'rank',
      'gapToMedian',
      'trendSlope',
      'disadvantagedGap',
      'groupDisadvantagedGap',
      'expectedValue',
      'residual',
    ]) {
      expect(typeof latest[key]).toBe('number');
    }
    expect(latest.gapToMedian).toBeCloseTo(latest.value - latest.median, 12);

    // The same, as fields of the school.
    const school = await gql(
      headteacher,
      `query($id: ID) { school(urn: 116001) { urn similarSchools(runId: $id) { urn rank }
         benchmarks(measures: ["${RWM}"], period: "201819", runId: $id) { ${BENCHMARK_FIELDS} } } }`,
      { id: headteacherRun },
    );
    expect(school.errors).toBeUndefined();
    expect(school.data!.school.similarSchools).toEqual(
      members.map((m: { urn: number; rank: number }) => ({ urn: m.urn, rank: m.rank })),
    );
    expect(school.data!.school.benchmarks).toEqual([latest]);

    // One school of a given run is read with statements of its own (no nullable conditions); an
    // analyst reading all of the run's schools goes through the general ones: the same answer.
    const whole = await gql(
      analyst,
      `query($id: ID!) { comparisonRun(id: $id) {
         groups { urn members { rank urn name source distance featureShares { feature label share } } }
         benchmarks { ${BENCHMARK_FIELDS} } } }`,
      { id: headteacherRun },
    );
    expect(whole.errors).toBeUndefined();
    expect(whole.data!.comparisonRun.groups).toEqual(result.groups);
    expect(whole.data!.comparisonRun.benchmarks).toEqual(result.benchmarks);

    // A governor of the school reads it; a headteacher cannot ask about another school.
    const read = await gql(governor, `query($id: ID!) { comparisonRun(id: $id) { status } }`, {
      id: headteacherRun,
    });
    expect(read.data!.comparisonRun.status).toBe('COMPLETED');
    const other = await gql(
      headteacher,
      `mutation { requestComparison(input: { target: { urn: 116002 }, phase: "primary", period: "201819", outcomeMeasures: ["${RWM}"] }) { id } }`,
    );
    expect(errorCode(other)).toBe('FORBIDDEN');
  });

  it('journey 4: an analyst reads three years with group medians and the schools causing concern', async () => {
    const requested = await gql(
      analyst,
      `mutation { requestComparison(input: { target: { allSchools: true }, phase: "primary",
         period: "201819", k: 10, outcomeMeasures: ["${RWM}"] }) { ${RUN_FIELDS} } }`,
    );
    expect(requested.errors).toBeUndefined();
    analystRun = requested.data!.requestComparison.id;
    expect((await untilFinished(analyst, analystRun)).statuses.at(-1)).toBe('COMPLETED');

    const page = await gql(
      analyst,
      `{ schools(first: 50) { nodes { urn phase benchmarks(measures: ["${RWM}"]) { runId period value median } } } }`,
    );
    expect(page.errors).toBeUndefined();
    const nodes = page.data!.schools.nodes as {
      urn: number;
      phase: string;
      benchmarks: { runId: string; period: string; value: number | null; median: number }[];
    }[];
    expect(nodes.map((n) => n.urn).filter((u) => OWN_PRIMARY.includes(u))).toEqual(OWN_PRIMARY);
    for (const node of nodes) {
      if (!OWN_PRIMARY.includes(node.urn)) {
        expect(node.benchmarks).toEqual([]); // the secondary school
        continue;
      }
      expect(node.benchmarks.map((b) => b.period)).toEqual([...OUTCOME_PERIODS]);
      for (const b of node.benchmarks) {
        expect(b.runId).toBe(analystRun);
        expect(typeof b.median).toBe('number');
        const v = lookup.get(node.urn, RWM, b.period);
        expect(b.value).toBe(typeof v === 'number' ? v : null);
      }
    }

    // Early warnings, checked against comparisons-core's rule on the run's own groups.
    const groups = await gql(
      analyst,
      `query($id: ID!) { comparisonRun(id: $id) { groups { urn members { urn } } } }`,
      { id: analystRun },
    );
    const expected = (
      groups.data!.comparisonRun.groups as { urn: number; members: { urn: number }[] }[]
    )
      .filter(({ urn, members }) => {
        const history = OUTCOME_PERIODS.map((period) => ({
          period,
          value: lookup.get(urn, RWM, period),
          group: members.map((m) => lookup.get(m.urn, RWM, period)),
        }));
        const r = earlyWarning(history, { polarity: 'higher_better', floor: 1e300 });
        return r.worstQuartilePeriods.length >= 2;
      })
      .map((g) => g.urn);
    expect(expected).toContain(STRUGGLING);

    const warnings = await gql(
      analyst,
      `{ earlyWarnings(measure: "${RWM}") { runId urn name worstQuartilePeriods periodsConsidered
         latestValue inWorstQuartile belowFloor bothSignals } }`,
    );
    expect(warnings.errors).toBeUndefined();
    const flagged = warnings.data!.earlyWarnings;
    expect(flagged.map((w: { urn: number }) => w.urn)).toEqual(expected);
    expect(flagged.find((w: { urn: number }) => w.urn === STRUGGLING)).toEqual({
      runId: analystRun,
      urn: STRUGGLING,
      name: `Hampshire Primary ${STRUGGLING}`,
      worstQuartilePeriods: ['201617', '201718', '201819'],
      periodsConsidered: ['201617', '201718', '201819'],
      latestValue: 20,
      inWorstQuartile: true,
      belowFloor: null,
      bothSignals: false,
    });
    const withFloor = await gql(
      analyst,
      `{ earlyWarnings(measure: "${RWM}", floor: 30) { urn inWorstQuartile belowFloor bothSignals } }`,
    );
    expect(withFloor.data!.earlyWarnings).toContainEqual({
      urn: STRUGGLING,
      inWorstQuartile: true,
      belowFloor: true,
      bothSignals: true,
    });
    const governed = await gql(governor, `{ earlyWarnings(measure: "${RWM}") { urn } }`);
    expect(errorCode(governed)).toBe('FORBIDDEN');
  });

  it('serves a page of schools with groups and benchmarks in a bounded number of queries', async () => {
    // Every SQL statement the API sends, counted at the driver.
    const queries: string[] = [];
    const original = Client.prototype.query as (...args: unknown[]) => unknown;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
      this: Client,
      ...args: unknown[]
    ) {
      const sql = args[0];
      queries.push(typeof sql === 'string' ? sql : ((sql as { text?: string })?.text ?? ''));
      return original.apply(this, args);
    });
    const countFor = async (first: number) => {
      queries.length = 0;
      const res = await gql(
        analyst,
        `query($first: Int) { schools(first: $first) { nodes { urn
           similarSchools { urn distance featureShares { feature share } }
           benchmarks(measures: ["${RWM}"]) { period value median } } } }`,
        { first },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.schools.nodes).toHaveLength(first);
      return {
        all: queries.length,
        comparisons: queries.filter((q) => /comparison_/.test(q)).length,
      };
    };
    try {
      const two = await countFor(2);
      const nine = await countFor(9);
      // Groups and benchmarks, the benchmarks' statement reading what serving them needs (the
      // runs' dataset versions, cohorts and limits). On Citus that read is a statement of its
      // own: it joins other tenants' observations, a join across shards.
      expect(two.comparisons).toBe(configuredDistribution() === 'citus' ? 3 : 2);
      expect(nine).toEqual(two);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not serve a stale run, and lists and cancels only what may be served', async () => {
    await api.db.query('update comparison_runs set stale = true where id = $1', [headteacherRun]);
    const stale = await gql(headteacher, `query($id: ID!) { comparisonRun(id: $id) { status } }`, {
      id: headteacherRun,
    });
    expect(errorCode(stale)).toBe('NOT_FOUND');
    expect(stale.errors![0].message).toMatch(/is stale/);
    const viaSchool = await gql(
      headteacher,
      `query($id: ID) { school(urn: 116001) { similarSchools(runId: $id) { urn } } }`,
      { id: headteacherRun },
    );
    expect(errorCode(viaSchool)).toBe('NOT_FOUND');
    // Without a run id the school's latest servable run answers (the analyst's).
    const latest = await gql(headteacher, `{ school(urn: 116001) { similarSchools { runId } } }`);
    expect(
      new Set(latest.data!.school.similarSchools.map((s: { runId: string }) => s.runId)),
    ).toEqual(new Set([analystRun]));
    const list = await gql(analyst, `{ comparisonRuns(first: 10) { totalCount nodes { id } } }`);
    expect(list.data!.comparisonRuns).toEqual({ totalCount: 1, nodes: [{ id: analystRun }] });

    const cancelled = await gql(
      analyst,
      `mutation($id: ID!) { cancelComparison(id: $id) { id status } }`,
      { id: analystRun },
    );
    expect(cancelled.data!.cancelComparison).toEqual({ id: analystRun, status: 'COMPLETED' });
  });
});

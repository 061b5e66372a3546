import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { quantile } from '@schoolbench/comparisons-core';
import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

// The worker as deployed, beside the API under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  insertDataset,
  ObservationLookup,
  type ObservationRow,
} from '../integration/support/comparison-fixtures';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const MORE_OWN = [116010, 116011, 116012, 116013, 116014, 116015];
const OWN_PRIMARY = [116001, 116002, ...MORE_OWN];
const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);
const RWM = 'ks2_rwm_expected_pct';
const READING = 'ks2_reading_progress';

/** 2018/19 KS2 RWM % and cohort (eligible pupils) of each Hampshire primary, as published. */
const RESULTS: Record<number, [number, number]> = {
  116001: [70, 30],
  116002: [85, 60],
  116010: [83, 45],
  116011: [90, 20],
  116012: [18, 28],
  116013: [76, 50],
  116014: [81, 40],
  116015: [66, 10],
};

/** The school targets the analyst uploads, and the RAG each gets with the default 2-point margin. */
const TARGETS: Record<number, [number, string]> = {
  116001: [72, 'amber'], // 70: 2 short
  116002: [84, 'green'], // 85
  116010: [86, 'red'], // 83: 3 short
  116011: [88, 'green'], // 90
  116012: [40, 'red'], // 18
  116013: [78, 'amber'], // 76: 2 short
  116014: [80, 'green'], // 81
  116015: [70, 'red'], // 66: 4 short
};

const EVENT =
  'id urn measure period breakdown kind action value baselinePeriod answers reason source actorRole';

/**
 * The seeds' performance management end to end (docs/targets.md): "NI 94: 72% baseline, 84%
 * target" as Hampshire's authority-wide KS2 RWM figures, school targets by CSV, the roll-up and
 * each school's RAG; a headteacher's proposal returned with a reason, proposed again and agreed;
 * honest benchmarks and suggestions from a real comparison run on the real queue.
 */
describe('baselines, targets, RAG and honest benchmarks over GraphQL', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let analyst: string;
  let admin: string;
  let headteacher: string;
  let governor: string;
  let bAnalyst: string;
  let lookup: ObservationLookup;

  const gql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token });

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
    const own = comparisonObservations(OWN_PRIMARY);
    const reference = comparisonObservations(REFERENCE, { variant: 'england' });
    await insertDataset(db, a.id, 'census', own.context);
    await insertDataset(db, a.id, 'ks2', own.outcomes);
    await insertDataset(db, publicData.id, 'census', reference.context);
    await insertDataset(db, publicData.id, 'ks2', reference.outcomes);
    // The published 2018/19 results with their cohorts, and 116001's reading progress with
    // DfE's confidence limits: a later dataset of the authority's own, so it takes precedence.
    const published: ObservationRow[] = [
      ...OWN_PRIMARY.map((urn): ObservationRow => [urn, RWM, '201819', 'all', RESULTS[urn][0]]),
      [116001, READING, '201819', 'all', 3.5],
      [116001, `${READING}_ci_lower`, '201819', 'all', 1.2],
      [116001, `${READING}_ci_upper`, '201819', 'all', 5.8],
    ];
    const id = await insertDataset(db, a.id, 'ks2-published', published);
    await db.query(`update datasets set published_at = now() + interval '1 minute' where id = $1`, [
      id,
    ]);
    for (const urn of OWN_PRIMARY) {
      await db.query(
        `update observations set denominator = $3 where dataset_id = $1 and urn = $2 and measure = '${RWM}'`,
        [id, urn, RESULTS[urn][1]],
      );
    }
    lookup = new ObservationLookup(published, own.outcomes, reference.outcomes);

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
    const user = (role: 'headteacher' | 'analyst' | 'governor' | 'la_admin') => a.users[role]!;
    analyst = await signIn(api.app, user('analyst').email, user('analyst').password);
    admin = await signIn(api.app, user('la_admin').email, user('la_admin').password);
    headteacher = await signIn(api.app, user('headteacher').email, user('headteacher').password);
    governor = await signIn(api.app, user('governor').email, user('governor').password);
    const b = api.b.users.analyst!;
    bAnalyst = await signIn(api.app, b.email, b.password);
    // A migrated database, an API and a worker: slow on a shared, busy machine.
  }, 300_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('the analyst sets the authority-wide baseline 72% and target 84% on KS2 RWM', async () => {
    const set = (kind: string, value: number, extra = '') =>
      gql(
        analyst,
        `mutation { setTarget(input: { measure: "${RWM}", period: "2018/19", kind: ${kind}, value: ${value} ${extra} }) { ${EVENT} } }`,
      );
    const baseline = await set('BASELINE', 72, ', baselinePeriod: "2016/17"');
    expect(baseline.errors).toBeUndefined();
    expect(baseline.data!.setTarget).toMatchObject({
      urn: null,
      measure: RWM,
      period: '201819',
      breakdown: 'all',
      kind: 'BASELINE',
      action: 'set',
      value: 72,
      baselinePeriod: '201617',
      source: 'api',
      actorRole: 'analyst',
    });
    const target = await set('TARGET', 84);
    expect(target.data!.setTarget).toMatchObject({ urn: null, kind: 'TARGET', value: 84 });
  });

  it('a CSV with a bad row writes nothing and reports every problem with its line', async () => {
    const before = await snapshotDatabase(api.db);
    const res = await gql(
      analyst,
      `mutation($csv: String!) { importTargets(csv: $csv, fileName: "hampshire-targets.csv") {
         accepted targets errorCount problems { file line column value rule message } } }`,
      {
        csv: [
          'URN,measure,period,target',
          '116001,ks2_rwm_expected_pct,2018/19,72',
          '999999,ks2_rwm_expected_pct,2018/19,80',
          '116002,ks2_rwm_expected_pct,2018/19,140',
          '116010,no_such_measure,2018/19,80',
          '121901,ks2_rwm_expected_pct,2018/19,80',
        ].join('\n'),
      },
    );
    expect(res.errors).toBeUndefined();
    const report = res.data!.importTargets;
    expect(report).toMatchObject({ accepted: false, targets: 0, errorCount: 4 });
    expect(
      report.problems.map((p: { line: number; column: string; value: string; rule: string }) => [
        p.line,
        p.column,
        p.value,
        p.rule,
      ]),
    ).toEqual([
      [3, 'URN', '999999', 'unknown_urn'],
      [4, 'target', '140', 'target_out_of_range'],
      [5, 'measure', 'no_such_measure', 'unknown_measure'],
      // Another authority's school is as unknown as a made-up one.
      [6, 'URN', '121901', 'unknown_urn'],
    ]);
    expect(report.problems[0].file).toBe('hampshire-targets.csv');
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });

  it('sets school targets by CSV and shows each school’s RAG and the authority roll-up', async () => {
    const csv = [
      'URN,measure,period,target',
      ...OWN_PRIMARY.map((urn) => `${urn},${RWM},2018/19,${TARGETS[urn][0]}`),
    ].join('\r\n');
    const res = await gql(
      analyst,
      `mutation($csv: String!) { importTargets(csv: $csv) { accepted targets errorCount } }`,
      { csv },
    );
    expect(res.data!.importTargets).toEqual({ accepted: true, targets: 8, errorCount: 0 });

    const statuses = await gql(
      analyst,
      `{ targetStatuses(period: "201819", measure: "${RWM}") { urn target actual cohort rag margin } }`,
    );
    expect(statuses.errors).toBeUndefined();
    expect(statuses.data!.targetStatuses).toEqual(
      OWN_PRIMARY.map((urn) => ({
        urn,
        target: TARGETS[urn][0],
        actual: RESULTS[urn][0],
        cohort: RESULTS[urn][1],
        rag: TARGETS[urn][1],
        margin: 2,
      })),
    );

    const rollup = await gql(
      analyst,
      `{ targetRollup(period: "2018/19") { measure period green amber red noValue authorityValue
         authorityCohort authorityTarget authorityBaseline authorityRag schoolTargetsWeighted } }`,
    );
    expect(rollup.errors).toBeUndefined();
    const [row] = rollup.data!.targetRollup;
    // By hand: Σ value·cohort = 2100 + 5100 + 3735 + 1800 + 504 + 3800 + 3240 + 660 = 20939 over
    // 283 pupils = 73.99%; the school targets weighted the same way: 21750 / 283 = 76.86%.
    expect(row).toMatchObject({
      measure: RWM,
      period: '201819',
      green: 3,
      amber: 2,
      red: 3,
      noValue: 0,
      authorityCohort: 283,
      authorityTarget: 84,
      authorityBaseline: 72,
      authorityRag: 'red',
    });
    expect(row.authorityValue).toBeCloseTo(20939 / 283, 10);
    expect(row.schoolTargetsWeighted).toBeCloseTo(21750 / 283, 10);
  });

  it('a headteacher proposes, the LA admin returns it with a reason, they propose again and it is agreed', async () => {
    const propose = (value: number) =>
      gql(
        headteacher,
        `mutation { proposeTarget(input: { urn: 116001, measure: "${RWM}", period: "201819", value: ${value} }) { ${EVENT} } }`,
      );
    const first = await propose(71);
    expect(first.errors).toBeUndefined();
    expect(first.data!.proposeTarget).toMatchObject({
      action: 'proposed',
      value: 71,
      actorRole: 'headteacher',
    });
    const pending = await gql(
      headteacher,
      `{ targetStatuses(period: "201819") { urn target pendingProposal { id value } } }`,
    );
    expect(pending.data!.targetStatuses).toEqual([
      { urn: 116001, target: 72, pendingProposal: { id: first.data!.proposeTarget.id, value: 71 } },
    ]);

    // Returning needs a reason; without one nothing is written.
    const before = await snapshotDatabase(api.db);
    const noReason = await gql(
      admin,
      `mutation($id: ID!) { returnTarget(proposalId: $id, reason: "  ") { id } }`,
      { id: first.data!.proposeTarget.id },
    );
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    expect(noReason.errors![0].message).toMatch(/reason/);
    expect(await snapshotDatabase(api.db)).toEqual(before);

    const returned = await gql(
      admin,
      `mutation($id: ID!) { returnTarget(proposalId: $id, reason: "Below last year's 72%: aim higher") { ${EVENT} } }`,
      { id: first.data!.proposeTarget.id },
    );
    expect(returned.data!.returnTarget).toMatchObject({
      action: 'returned',
      answers: first.data!.proposeTarget.id,
      reason: "Below last year's 72%: aim higher",
      actorRole: 'la_admin',
    });

    const second = await propose(76);
    const agreed = await gql(
      admin,
      `mutation($id: ID!) { agreeTarget(proposalId: $id) { ${EVENT} } }`,
      { id: second.data!.proposeTarget.id },
    );
    expect(agreed.data!.agreeTarget).toMatchObject({ action: 'agreed', value: 76 });
    // An answered proposal cannot be answered again.
    const again = await gql(
      admin,
      `mutation($id: ID!) { returnTarget(proposalId: $id, reason: "late") { id } }`,
      {
        id: second.data!.proposeTarget.id,
      },
    );
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/already been answered \(agreed\)/);

    const history = await gql(
      governor,
      `{ targetHistory(urn: 116001, measure: "${RWM}", period: "201819") { action value source reason } }`,
    );
    expect(history.data!.targetHistory).toEqual([
      { action: 'set', value: 72, source: 'csv', reason: null },
      { action: 'proposed', value: 71, source: 'api', reason: null },
      { action: 'returned', value: 71, source: 'api', reason: "Below last year's 72%: aim higher" },
      { action: 'proposed', value: 76, source: 'api', reason: null },
      { action: 'agreed', value: 76, source: 'api', reason: null },
    ]);
    const mine = await gql(
      headteacher,
      `{ targetStatuses(period: "201819") { urn target rag pendingProposal { id } } }`,
    );
    expect(mine.data!.targetStatuses).toEqual([
      { urn: 116001, target: 76, rag: 'red', pendingProposal: null },
    ]);
    const rollup = await gql(analyst, `{ targetRollup(period: "201819") { green amber red } }`);
    expect(rollup.data!.targetRollup).toEqual([{ green: 3, amber: 1, red: 4 }]);
  });

  it('bad input writes nothing and says why', async () => {
    const before = await snapshotDatabase(api.db);
    const cases: [string, string, string, RegExp][] = [
      [
        governor,
        `mutation { setTarget(input: { urn: 116001, measure: "${RWM}", period: "201819", value: 80 }) { id } }`,
        'FORBIDDEN',
        /analyst|la_admin/,
      ],
      [
        headteacher,
        `mutation { setTarget(input: { urn: 116001, measure: "${RWM}", period: "201819", value: 80 }) { id } }`,
        'FORBIDDEN',
        /analyst|la_admin/,
      ],
      [
        headteacher,
        `mutation { proposeTarget(input: { urn: 116002, measure: "${RWM}", period: "201819", value: 80 }) { id } }`,
        'FORBIDDEN',
        /own school/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 999999, measure: "${RWM}", period: "201819", value: 80 }) { id } }`,
        'BAD_USER_INPUT',
        /school 999999 is not one of your authority's schools/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 121901, measure: "${RWM}", period: "201819", value: 80 }) { id } }`,
        'BAD_USER_INPUT',
        /school 121901 is not one of your authority's schools/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "no_such_measure", period: "201819", value: 80 }) { id } }`,
        'BAD_USER_INPUT',
        /"no_such_measure" is not a measure/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "${RWM}", period: "201819", value: 101 }) { id } }`,
        'BAD_USER_INPUT',
        /between 0 and 100/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "${READING}", period: "201819", value: -31 }) { id } }`,
        'BAD_USER_INPUT',
        /between -30 and 30/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "pupils_on_roll", period: "201819", value: 300 }) { id } }`,
        'BAD_USER_INPUT',
        /no better direction/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "${RWM}", period: "2018-19", value: 80 }) { id } }`,
        'BAD_USER_INPUT',
        /not an academic year/,
      ],
      [
        analyst,
        `mutation { setTarget(input: { urn: 116001, measure: "${RWM}", period: "201819", value: 80, baselinePeriod: "201718" }) { id } }`,
        'BAD_USER_INPUT',
        /only a baseline/,
      ],
      [
        analyst,
        `mutation { agreeTarget(proposalId: "00000000-0000-4000-8000-000000000000") { id } }`,
        'FORBIDDEN',
        /la_admin/,
      ],
      [
        admin,
        `mutation { agreeTarget(proposalId: "00000000-0000-4000-8000-000000000000") { id } }`,
        'NOT_FOUND',
        /proposal/,
      ],
      [
        governor,
        `mutation { setBenchmarkSettings(minGroupN: 3, amberMarginPercent: 1, amberMarginScore: 0.1) { minGroupN } }`,
        'FORBIDDEN',
        /la_admin/,
      ],
      [
        admin,
        `mutation { setBenchmarkSettings(minGroupN: 0, amberMarginPercent: 1, amberMarginScore: 0.1) { minGroupN } }`,
        'BAD_USER_INPUT',
        /minGroupN/,
      ],
    ];
    for (const [token, query, code, message] of cases) {
      const res = await gql(token, query);
      expect([query, errorCode(res)]).toEqual([query, code]);
      expect(res.errors![0].message).toMatch(message);
    }
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });

  it('another authority sees none of Hampshire’s targets', async () => {
    const statuses = await gql(
      bAnalyst,
      `{ targetStatuses(period: "201819") { urn } targetRollup(period: "201819") { measure } }`,
    );
    expect(statuses.data).toEqual({ targetStatuses: [], targetRollup: [] });
    const history = await gql(
      bAnalyst,
      `{ targetHistory(urn: 116001, measure: "${RWM}", period: "201819") { id } }`,
    );
    expect(history.data!.targetHistory).toEqual([]);
  });

  it('benchmarks are honest: bands, cohorts, minimum group size, and suggestions from the group', async () => {
    const requested = await gql(
      analyst,
      `mutation { requestComparison(input: { target: { allSchools: true }, phase: "primary",
         period: "201819", outcomeMeasures: ["${RWM}", "${READING}"] }) { id } }`,
    );
    expect(requested.errors).toBeUndefined();
    const runId = requested.data!.requestComparison.id as string;
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await gql(analyst, `query($id: ID!) { comparisonRun(id: $id) { status } }`, {
        id: runId,
      });
      const status = res.data!.comparisonRun.status as string;
      if (status === 'COMPLETED') break;
      if (status === 'FAILED' || Date.now() > until) throw new Error(`run ${runId} ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const FIELDS = `urn measure period value groupN median lowerQuartile upperQuartile percentileRank rank
      rankOf gapToMedian minGroupN insufficientGroup memberValues cohort smallCohort confidenceLower
      confidenceUpper progressBand versusGroupMedian trendPeriods trendFromTwoPeriods`;
    const read = async (token: string, urn: number) => {
      const res = await gql(
        token,
        `query($urn: Int!) { school(urn: $urn) { benchmarks(period: "201819") { ${FIELDS} } } }`,
        { urn },
      );
      expect(res.errors).toBeUndefined();
      const list = res.data!.school.benchmarks as Record<string, unknown>[];
      return [RWM, READING].map((m) => list.find((b) => b.measure === m));
    };
    const [rwm, reading] = await read(headteacher, 116001);
    expect(rwm).toMatchObject({
      measure: RWM,
      value: 70,
      groupN: 20,
      minGroupN: 5,
      insufficientGroup: false,
      memberValues: null,
      cohort: 30,
      smallCohort: false,
      progressBand: null, // DfE publishes no interval for attainment
      versusGroupMedian: null,
      trendPeriods: ['201617', '201718', '201819'],
      trendFromTwoPeriods: false,
    });
    expect(rwm!.median).not.toBeNull();
    // Reading progress 3.5 (1.2 to 5.8): significantly above 0 and past DfE's 2018/19 threshold of 3.2.
    expect(reading).toMatchObject({
      measure: READING,
      value: 3.5,
      confidenceLower: 1.2,
      confidenceUpper: 5.8,
      progressBand: 'well_above',
    });
    // The run stored the limits with the benchmark (serving does not read them again).
    const [stored] = await api.db.query<{ ci_lower: number; ci_upper: number }>(
      `select ci_lower, ci_upper from comparison_benchmarks
       where run_id = $1 and urn = 116001 and measure = $2 and period = 201819`,
      [runId, READING],
    );
    expect(stored).toEqual({ ci_lower: 1.2, ci_upper: 5.8 });
    const median = reading!.median as number;
    expect(reading!.versusGroupMedian).toBe(
      median < 1.2 ? 'above' : median > 5.8 ? 'below' : 'not_significant',
    );
    const [small] = await read(analyst, 116015);
    expect(small).toMatchObject({ cohort: 10, smallCohort: true });

    // Suggestions from the same group, at the 50th/80th/95th percentile of its values (type 7).
    const suggestion = await gql(
      headteacher,
      `{ targetSuggestion(urn: 116001, measure: "${RWM}", period: "201819") { runId groupUrns groupN insufficientGroup p50 p80 p95 } }`,
    );
    expect(suggestion.errors).toBeUndefined();
    const s = suggestion.data!.targetSuggestion;
    const values = (s.groupUrns as number[])
      .map((u) => lookup.get(u, RWM, '201819'))
      .filter((v): v is number => typeof v === 'number');
    expect(s).toEqual({
      runId,
      groupUrns: s.groupUrns,
      groupN: values.length,
      insufficientGroup: false,
      p50: quantile(values, 0.5),
      p80: quantile(values, 0.8),
      p95: quantile(values, 0.95),
    });
    expect(s.groupUrns).toHaveLength(20);
    const position = await gql(
      headteacher,
      `{ targetStatuses(period: "201819") { groupPosition } }`,
    );
    const q = rwm as { lowerQuartile: number; upperQuartile: number };
    expect(position.data!.targetStatuses[0].groupPosition).toBe(
      70 > q.upperQuartile
        ? 'upper_quartile'
        : 70 < q.lowerQuartile
          ? 'lower_quartile'
          : 'middle_half',
    );

    // The pupil-group drill-down: each breakdown against the same breakdown's group median.
    const drill = await gql(
      headteacher,
      `{ pupilGroupGaps(urn: 116001, measure: "${RWM}") { breakdown runId periods { period value groupN
         insufficientGroup groupMedian gap } gapTrend gapTrendPeriods trendFromTwoPeriods } }`,
    );
    expect(drill.errors).toBeUndefined();
    const gaps = drill.data!.pupilGroupGaps as {
      breakdown: string;
      runId: string;
      periods: {
        period: string;
        value: number | null;
        groupMedian: number | null;
        gap: number | null;
      }[];
      gapTrend: number | null;
    }[];
    expect(gaps.map((g) => g.breakdown)).toEqual(['all', 'disadvantaged', 'not_disadvantaged']);
    const disadvantaged = gaps[1];
    expect(disadvantaged.runId).toBe(runId);
    const latest = disadvantaged.periods.at(-1)!;
    const groupValues = (s.groupUrns as number[])
      .map((u) => lookup.get(u, RWM, '201819', 'disadvantaged'))
      .filter((v): v is number => typeof v === 'number');
    expect(latest).toMatchObject({
      period: '201819',
      value: lookup.get(116001, RWM, '201819', 'disadvantaged'),
      groupMedian: quantile(groupValues, 0.5),
    });
    expect(latest.gap).toBeCloseTo(latest.value! - latest.groupMedian!, 12);
    const other = await gql(
      headteacher,
      `{ pupilGroupGaps(urn: 116002, measure: "${RWM}") { breakdown } }`,
    );
    expect(errorCode(other)).toBe('FORBIDDEN');

    // The authority raises its minimum group size above the group: spread and rank are withheld.
    const settings = await gql(
      admin,
      `mutation { setBenchmarkSettings(minGroupN: 25, amberMarginPercent: 2, amberMarginScore: 0.1) { minGroupN } }`,
    );
    expect(settings.data!.setBenchmarkSettings).toEqual({ minGroupN: 25 });
    const [withheld] = await read(headteacher, 116001);
    expect(withheld).toMatchObject({
      value: 70,
      groupN: 20,
      minGroupN: 25,
      insufficientGroup: true,
      median: null,
      lowerQuartile: null,
      upperQuartile: null,
      percentileRank: null,
      rank: null,
      rankOf: null,
      gapToMedian: null,
    });
    expect(withheld!.memberValues).toEqual([...values].sort((a, b) => a - b));
    const none = await gql(
      headteacher,
      `{ targetSuggestion(urn: 116001, measure: "${RWM}", period: "201819") { insufficientGroup p50 p80 p95 } targetStatuses(period: "201819") { groupPosition } }`,
    );
    expect(none.data).toEqual({
      targetSuggestion: { insufficientGroup: true, p50: null, p80: null, p95: null },
      targetStatuses: [{ groupPosition: null }],
    });
  });
  it('judgements: imported and recorded by the LA admin, shown with the school, a filter, and early warnings with every reason', async () => {
    await gql(
      admin,
      `mutation { setBenchmarkSettings(minGroupN: 5, amberMarginPercent: 2, amberMarginScore: 0.1) { minGroupN } }`,
    );
    const importing = (csv: string) =>
      gql(
        admin,
        `mutation($csv: String!) { importJudgements(csv: $csv, fileName: "ofsted.csv") {
           accepted judgements errorCount problems { line column value rule } } }`,
        { csv },
      );
    const before = await snapshotDatabase(api.db);
    const bad = await importing(
      [
        'URN,judgement,date,source',
        '116010,Requires improvement,14/03/2019,Ofsted report',
        '121901,Good,2019-01-10,Ofsted report',
        '116013,Excellent,2019-01-10,',
        '116001,Good,2099-01-01,',
      ].join('\n'),
    );
    expect(bad.data!.importJudgements).toEqual({
      accepted: false,
      judgements: 0,
      errorCount: 3,
      problems: [
        { line: 3, column: 'URN', value: '121901', rule: 'unknown_urn' },
        { line: 4, column: 'judgement', value: 'Excellent', rule: 'unknown_judgement' },
        { line: 5, column: 'date', value: '2099-01-01', rule: 'invalid_judgement_date' },
      ],
    });
    const refused = await gql(
      analyst,
      `mutation { recordJudgement(input: { urn: 116001, judgement: "Good", date: "2019-01-01", source: "x" }) { id } }`,
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const unknown = await gql(
      admin,
      `mutation { recordJudgement(input: { urn: 999999, judgement: "Good", date: "2019-01-01", source: "x" }) { id } }`,
    );
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(await snapshotDatabase(api.db)).toEqual(before);

    const good = await importing(
      [
        'URN,judgement,date,source',
        '116010,Requires improvement,14/03/2019,Ofsted report',
        '116001,Good,2018-06-05,Ofsted report',
        '116013,4,2019-01-10,Ofsted report',
      ].join('\n'),
    );
    expect(good.data!.importJudgements).toMatchObject({ accepted: true, judgements: 3 });
    const category = await gql(
      admin,
      `mutation { recordJudgement(input: { urn: 116002, kind: CATEGORISATION, judgement: "School causing concern",
         date: "2019-09-01", source: "Schools causing concern panel" }) { urn kind judgement date source recordedVia } }`,
    );
    expect(category.data!.recordJudgement).toEqual({
      urn: 116002,
      kind: 'CATEGORISATION',
      judgement: 'school_causing_concern',
      date: '2019-09-01',
      source: 'Schools causing concern panel',
      recordedVia: 'api',
    });

    const shown = await gql(
      headteacher,
      `{ school(urn: 116001) { judgements { inspection { judgement date source recordedVia } categorisation { judgement } } } }`,
    );
    expect(shown.data!.school.judgements).toEqual({
      inspection: {
        judgement: 'good',
        date: '2018-06-05',
        source: 'Ofsted report',
        recordedVia: 'csv',
      },
      categorisation: null,
    });
    const filtered = await gql(
      analyst,
      `{ judgedSchools(judgements: ["Requires improvement", "inadequate"]) { urn inspection { judgement } } }`,
    );
    expect(filtered.data!.judgedSchools).toEqual([
      { urn: 116010, inspection: { judgement: 'requires_improvement' } },
      { urn: 116013, inspection: { judgement: 'inadequate' } },
    ]);

    const warnings = await gql(
      analyst,
      `{ earlyWarnings(measure: "${RWM}") { urn inWorstQuartile } }`,
    );
    const quartile = (warnings.data!.earlyWarnings as { urn: number; inWorstQuartile: boolean }[])
      .filter((w) => w.inWorstQuartile)
      .map((w) => w.urn);
    const concern = await gql(
      analyst,
      `{ schoolsCausingConcern(measure: "${RWM}", period: "201819") { urn reasons { kind detail } } }`,
    );
    expect(concern.errors).toBeUndefined();
    const list = concern.data!.schoolsCausingConcern as {
      urn: number;
      reasons: { kind: string; detail: string }[];
    }[];
    const kinds = Object.fromEntries(list.map((c) => [c.urn, c.reasons.map((r) => r.kind)]));
    const expected: Record<number, string[]> = {};
    const push = (urn: number, kind: string) => (expected[urn] = [...(expected[urn] ?? []), kind]);
    for (const urn of quartile) push(urn, 'LOWER_QUARTILE');
    // Red against target after the agreed 76 for 116001: 116001, 116010, 116012, 116015.
    for (const urn of [116001, 116010, 116012, 116015]) push(urn, 'RED_AGAINST_TARGET');
    push(116002, 'CATEGORISATION');
    push(116010, 'INSPECTION');
    push(116013, 'INSPECTION');
    expect(kinds).toEqual(expected);
    const ri = list.find((c) => c.urn === 116010)!.reasons;
    expect(ri).toContainEqual({
      kind: 'INSPECTION',
      detail: 'judged requires improvement on 2019-03-14 (Ofsted report)',
    });
    expect(ri).toContainEqual({
      kind: 'RED_AGAINST_TARGET',
      detail: `${RWM} 201819: 83 against a target of 86 (more than 2 short)`,
    });
    // Another authority sees none of it.
    const other = await gql(
      bAnalyst,
      `{ judgedSchools { urn } schoolsCausingConcern(measure: "${RWM}", period: "201819") { urn } }`,
    );
    expect(other.data).toEqual({ judgedSchools: [], schoolsCausingConcern: [] });
  });
});

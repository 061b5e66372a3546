import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import {
  benchmarkAgainstGroup,
  contextKnnV1,
  defaultComparisonMethods,
  disadvantagedGap,
  fbitPupilV1,
  fitContextualModel,
  groupsFromCensus,
  readCensusFile,
  schoolPopulation,
  trend,
  type ObservedValue,
} from '@schoolbench/comparisons-core';
import { LaRegister } from '@schoolbench/la-register';

import {
  computeBenchmarks,
  computeGroups,
  groupRows,
  withConfidenceLimits,
  type PopulationSchool,
} from './comparison-computation';
import { normaliseRequest, type ComparisonRequest } from './comparison-request';
import { readObservationFiles } from './observation-files';
import { ObservationTable } from './observation-table';

// Reading the national census twice takes a few seconds, more on a busy machine.
jest.setTimeout(120_000);

const methods = defaultComparisonMethods();
const OWN = 'own-tenant';
const REF = 'reference-tenant';

function nationalFile(name: string): string {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return resolve(dir, '..', 'shared', 'data', 'dfe', 'national', name);
}

function parameters(request: Partial<ComparisonRequest>) {
  return normaliseRequest(
    {
      target: { allSchools: true },
      phase: 'primary',
      period: '201819',
      outcomeMeasures: ['ks2_rwm_expected_pct'],
      ...request,
    },
    methods,
  );
}

describe('comparison computation from stored observations', () => {
  describe('on the national census, read by the importer as observations', () => {
    let schools: PopulationSchool[];
    let context: ObservationTable;
    let table: Awaited<ReturnType<typeof readCensusFile>>;

    beforeAll(async () => {
      const census = nationalFile('2018-2019_england_census.csv');
      const read = await readObservationFiles([census], REF);
      schools = read.schools.filter((s) => s.phase === 'primary');
      context = read.observations;
      table = await readCensusFile(census);
    });

    it('gives context-knn-v1 exactly the groups the library builds from the census file', () => {
      const { method, parameters: p } = parameters({ k: 10 });
      const targets = schools.map((s) => s.urn);
      const ours = computeGroups({ method, parameters: p, schools, context, targets });
      const theirs = groupsFromCensus(table, contextKnnV1, {
        schoolType: 'State-funded primary',
        k: 10,
      });
      // No KS1 prior attainment in a census: the optional feature is left out, and says so.
      expect(ours.features).toEqual(theirs.groups.features);
      expect(ours.notes).toEqual([
        'prior_attainment left out: not every school with the other features has it',
      ]);
      expect(ours.groups.size).toBe(16768);
      expect(ours.targets).toHaveLength(16768);
      expect(ours.excludedTargets).toEqual([
        ...theirs.census.excluded.map((e) => ({ urn: e.urn, reason: e.reason })),
      ]);
      expect(Array.from(ours.groups.members)).toEqual(Array.from(theirs.groups.members));
      expect(Array.from(ours.groups.distances)).toEqual(Array.from(theirs.groups.distances));
      const rows = groupRows(ours);
      expect(rows).toHaveLength(16768 * 10);
      expect(rows[0]).toMatchObject({ urn: 100000, rank: 1, neighbourTenantId: REF });
    });

    it('gives fbit-pupil-v1 the same sets too (FSM now = fsm_count / pupils, SEN = EHC + support)', () => {
      const { method, parameters: p } = parameters({ method: 'fbit-pupil-v1' });
      const register = LaRegister.builtIn();
      const ours = computeGroups({
        method,
        parameters: p,
        schools,
        context,
        targets: [],
        register,
      });
      const theirs = groupsFromCensus(table, fbitPupilV1, {
        schoolType: 'State-funded primary',
        register,
      });
      expect(ours.features).toEqual(['pupils', 'pct_fsm', 'pct_sen']);
      expect(Array.from(ours.groups.urns)).toEqual(Array.from(theirs.groups.urns));
      expect(Array.from(ours.groups.members)).toEqual(Array.from(theirs.groups.members));
      expect(Array.from(ours.groups.distances)).toEqual(Array.from(theirs.groups.distances));
    });
  });

  describe('on a small hand-made population', () => {
    // 12 schools: own 1–4, reference 5–12. Context: fsm, eal, sen support, ehc, pupils.
    const urns = Array.from({ length: 12 }, (_, i) => 100001 + i);
    const schools: PopulationSchool[] = urns.map((urn, i) => ({
      urn,
      tenantId: i < 4 ? OWN : REF,
      laCode: '850',
    }));
    const context = new ObservationTable();
    const outcomes = new ObservationTable();
    const periods = ['201617', '201718', '201819'];
    urns.forEach((urn, i) => {
      context.set('fsm_ever_pct', '201819', 'all', urn, 5 + ((i * 7) % 40));
      context.set('eal_pct', '201819', 'all', urn, 2 + ((i * 5) % 30));
      context.set('sen_support_pct', '201819', 'all', urn, 8 + ((i * 3) % 12));
      context.set('ehc_plan_pct', '201819', 'all', urn, 0.5 + ((i * 11) % 7) / 2);
      context.set('pupils_on_roll', '201819', 'all', urn, 120 + i * 37);
      periods.forEach((period, y) => {
        const value: ObservedValue =
          urn === 100006 && period === '201819' ? 'c' : 40 + ((i * 13 + y * 7) % 50);
        if (!(urn === 100002 && period === '201718')) {
          outcomes.set('ks2_rwm_expected_pct', period, 'all', urn, value);
        }
        outcomes.set('ks2_rwm_expected_pct', period, 'disadvantaged', urn, 30 + ((i * 9) % 30));
        outcomes.set('ks2_rwm_expected_pct', period, 'not_disadvantaged', urn, 50 + ((i * 4) % 30));
      });
    });
    // No observation at all for a school without context: not in the population.
    const withStranger = [...schools, { urn: 100099, tenantId: OWN, laCode: '850' }];

    it('benchmarks each own school against its group with the library’s statistics', () => {
      const { method, parameters: p } = parameters({ k: 4 });
      const targets = [100001, 100002, 100003, 100004, 100099];
      const result = computeGroups({
        method,
        parameters: p,
        schools: withStranger,
        context,
        targets,
      });
      expect(result.targets).toEqual([100001, 100002, 100003, 100004]);
      expect(result.excludedTargets).toEqual([
        { urn: 100099, reason: 'no context data for 201819' },
      ]);
      expect(result.groups.size).toBe(12);

      const population = schoolPopulation(
        result.features,
        urns.map((urn) => ({
          urn,
          values: [
            context.get('fsm_ever_pct', '201819', 'all', urn) as number,
            context.get('eal_pct', '201819', 'all', urn) as number,
            context.get('sen_support_pct', '201819', 'all', urn) as number,
            context.get('ehc_plan_pct', '201819', 'all', urn) as number,
            Math.log(context.get('pupils_on_roll', '201819', 'all', urn) as number),
          ],
        })),
      );
      const expectedGroups = contextKnnV1.findGroups(population, { k: 4 });
      for (const urn of result.targets)
        expect(result.groups.groupOf(urn)).toEqual(expectedGroups.groupOf(urn));

      const rows = computeBenchmarks({
        result,
        measures: ['ks2_rwm_expected_pct'],
        periods,
        outcomes,
      });
      expect(rows).toHaveLength(4 * 3);
      const all = (period: string, urn: number) =>
        outcomes.get('ks2_rwm_expected_pct', period, 'all', urn);
      for (const row of rows) {
        const period = String(row.period);
        const members = (expectedGroups.groupOf(row.urn) ?? []).map((m) => m.urn);
        const b = benchmarkAgainstGroup(
          all(period, row.urn),
          members.map((u) => all(period, u)),
          'higher_better',
          { minGroupN: 1 },
        );
        const t = trend(
          periods.filter((q) => q <= period).map((q) => ({ period: q, value: all(q, row.urn) })),
        );
        const dis = (u: number) => ({
          disadvantaged: outcomes.get('ks2_rwm_expected_pct', period, 'disadvantaged', u),
          notDisadvantaged: outcomes.get('ks2_rwm_expected_pct', period, 'not_disadvantaged', u),
        });
        const gap = disadvantagedGap(dis(row.urn), members.map(dis));
        const model = fitContextualModel(population, new Map(urns.map((u) => [u, all(period, u)])));
        const x = Array.from(
          population.values.subarray(urns.indexOf(row.urn) * 5, urns.indexOf(row.urn) * 5 + 5),
        );
        const own = all(period, row.urn);
        expect(row).toEqual({
          urn: row.urn,
          measure: 'ks2_rwm_expected_pct',
          period: Number(period),
          value: b.value ?? null,
          suppression: null,
          groupN: b.groupN,
          median: b.median,
          q1: b.lowerQuartile,
          q3: b.upperQuartile,
          percentileRank: b.percentileRank ?? null,
          rank: b.rank ?? null,
          rankOf: b.of ?? null,
          gapToMedian: b.gapToMedian ?? null,
          trendSlope: t.slope ?? null,
          trendPeriods: t.periodsUsed,
          disadvantagedGap: gap.schoolGap,
          groupDisadvantagedGap: gap.groupGap,
          groupDisadvantagedN: gap.groupN,
          expectedValue: model.model.predict(x),
          residual: typeof own === 'number' ? own - model.model.predict(x) : null,
          suppressedCount: Object.values(b.suppressed).reduce((a, n) => a + n, 0),
          missingCount: b.missing,
          // ks2_rwm_expected_pct has no confidence interval in DfE's files.
          ciLower: null,
          ciUpper: null,
        });
      }
      // 100002 has no 2017/18 value: no value, no residual, and a trend over the other years.
      const gapYear = rows.find((r) => r.urn === 100002 && r.period === 201718)!;
      expect(gapYear).toMatchObject({ value: null, suppression: null, residual: null });
      expect(gapYear.expectedValue).not.toBeNull();
      const latest = rows.find((r) => r.urn === 100002 && r.period === 201819)!;
      expect(latest.trendPeriods).toEqual([2016, 2018]);
    });

    it('carries DfE’s confidence limits of the school’s own value into its benchmarks', () => {
      const { method, parameters: p } = parameters({
        k: 4,
        outcomeMeasures: ['ks4_progress8_english'],
      });
      const result = computeGroups({ method, parameters: p, schools, context, targets: urns });
      const table = new ObservationTable();
      urns.forEach((urn, i) => {
        const score = -1 + i * 0.2;
        table.set('ks4_progress8_english', '201819', 'all', urn, score);
        // 100003's lower limit is suppressed: then neither limit is stored.
        table.set(
          'ks4_progress8_english_ci_lower',
          '201819',
          'all',
          urn,
          urn === 100003 ? 'c' : score - 0.3,
        );
        table.set('ks4_progress8_english_ci_upper', '201819', 'all', urn, score + 0.3);
      });
      const rows = computeBenchmarks({
        result,
        measures: ['ks4_progress8_english'],
        periods: ['201819'],
        outcomes: table,
      });
      const of = (urn: number) => rows.find((r) => r.urn === urn)!;
      expect(of(100001)).toMatchObject({ value: -1, ciLower: -1.3, ciUpper: -0.7 });
      expect(of(100002).ciLower).toBeCloseTo(-1.1, 10);
      expect(of(100003)).toMatchObject({ ciLower: null, ciUpper: null });
      // The run reads the limit measures the catalogue names, besides the outcome itself.
      expect(withConfidenceLimits(['ks4_progress8_english', 'ks2_rwm_expected_pct'])).toEqual([
        'ks4_progress8_english',
        'ks2_rwm_expected_pct',
        'ks4_progress8_english_ci_lower',
        'ks4_progress8_english_ci_upper',
      ]);
    });

    it('uses prior attainment when every school with the other features has it', () => {
      const withPrior = new ObservationTable();
      for (const urn of urns) {
        for (const m of [
          'fsm_ever_pct',
          'eal_pct',
          'sen_support_pct',
          'ehc_plan_pct',
          'pupils_on_roll',
        ]) {
          withPrior.set(m, '201819', 'all', urn, context.get(m, '201819', 'all', urn));
        }
        withPrior.set('prior_attainment_ks1_aps', '201819', 'all', urn, 14 + (urn % 5) / 2);
      }
      const { method, parameters: p } = parameters({ k: 3 });
      const result = computeGroups({
        method,
        parameters: p,
        schools,
        context: withPrior,
        targets: [100001],
      });
      expect(result.features).toEqual([
        'pct_fsm_ever',
        'pct_eal',
        'pct_sen_support',
        'pct_ehc_plan',
        'ln_pupils',
        'prior_attainment',
      ]);
      expect(result.notes).toEqual([]);
      expect(Object.keys(groupRows(result)[0].featureShares)).toContain('prior_attainment');
    });

    it('reports a population too small for k as the caller’s error', () => {
      const { method, parameters: p } = parameters({ k: 20 });
      expect(() =>
        computeGroups({ method, parameters: p, schools, context, targets: [100001] }),
      ).toThrow(/k must be a whole number from 1 to 11/);
    });
  });
});

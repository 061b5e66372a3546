import {
  benchmarkAgainstGroup,
  ComparisonInputError,
  contextualExpectation,
  disadvantagedGap,
  fitContextualModel,
  schoolPopulation,
  trend,
  usableNumber,
  type ComparisonMethod,
  type ContextualModel,
  type ObservedValue,
  type SchoolPopulation,
  type SchoolRowInput,
  type SimilarSchoolGroups,
} from '@schoolbench/comparisons-core';
import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';
import type { LaRegister } from '@schoolbench/la-register';

import {
  candidateFeatures,
  groupingOptions,
  type ComparisonParameters,
} from './comparison-request';
import { contextFeature } from './context-features';
import type { ObservationTable } from './observation-table';

/** A school that may be in the population, and whose data it is. */
export interface PopulationSchool {
  readonly urn: number;
  readonly tenantId: string;
  readonly laCode: string | null;
}

export interface ExcludedTarget {
  readonly urn: number;
  readonly reason: string;
}

export interface ComparisonGroups {
  /** Features the method used, in column order. */
  readonly features: readonly string[];
  readonly population: SchoolPopulation;
  readonly groups: SimilarSchoolGroups;
  /** Target schools that have a group, ascending URN. */
  readonly targets: readonly number[];
  readonly excludedTargets: readonly ExcludedTarget[];
  /** Schools of the phase left out of the population (a missing feature). */
  readonly populationExcluded: number;
  readonly notes: readonly string[];
  readonly tenantOf: ReadonlyMap<number, string>;
}

export interface GroupMemberRow {
  readonly urn: number;
  readonly rank: number;
  readonly neighbourUrn: number;
  readonly neighbourTenantId: string;
  readonly distance: number;
  readonly featureShares: Readonly<Record<string, number>>;
}

export interface BenchmarkRow {
  readonly urn: number;
  readonly measure: string;
  readonly period: number;
  readonly value: number | null;
  readonly suppression: string | null;
  readonly groupN: number;
  readonly median: number | null;
  readonly q1: number | null;
  readonly q3: number | null;
  readonly percentileRank: number | null;
  readonly rank: number | null;
  readonly rankOf: number | null;
  readonly gapToMedian: number | null;
  readonly trendSlope: number | null;
  readonly trendPeriods: readonly number[];
  readonly disadvantagedGap: number | null;
  readonly groupDisadvantagedGap: number | null;
  readonly groupDisadvantagedN: number;
  readonly expectedValue: number | null;
  readonly residual: number | null;
  readonly suppressedCount: number;
  readonly missingCount: number;
  /** DfE's 95% confidence limits of the school's own value (catalogue `confidenceInterval`). */
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
}

/**
 * The outcome measures plus the confidence-limit measures the catalogue names for them: what a
 * run reads so that its benchmarks carry DfE's limits.
 */
export function withConfidenceLimits(measures: readonly string[]): string[] {
  const out = new Set(measures);
  for (const code of measures) {
    const ci = MEASURE_CATALOGUE.measure(code)?.confidenceInterval;
    if (ci) {
      out.add(ci.lower);
      out.add(ci.upper);
    }
  }
  return [...out];
}

const NO_LIMITS = { ciLower: null, ciUpper: null } as const;

/** Both limits as numbers, in order; otherwise neither (a suppressed or missing limit). */
function confidenceLimits(
  lower: ObservedValue,
  upper: ObservedValue,
): { ciLower: number | null; ciUpper: number | null } {
  return typeof lower === 'number' && typeof upper === 'number' && lower <= upper
    ? { ciLower: lower, ciUpper: upper }
    : NO_LIMITS;
}

const orNull = (value: number | undefined): number | null => value ?? null;

/**
 * Builds the population from stored context observations (breakdown `all`, the run's period) and
 * runs the method over it. Schools with no context observation in the period (not in that
 * year's census) are not part of the population at all; the method decides about the rest.
 */
export function computeGroups(input: {
  readonly method: ComparisonMethod;
  readonly parameters: ComparisonParameters;
  readonly schools: readonly PopulationSchool[];
  readonly context: ObservationTable;
  readonly targets: readonly number[];
  readonly register?: LaRegister;
}): ComparisonGroups {
  const { method, parameters, context } = input;
  const { required, optional } = candidateFeatures(method, parameters);
  const notes: string[] = [];
  const features = [...required, ...optional].map((code) => contextFeature(parameters.phase, code));
  const measures = [...new Set(features.flatMap((f) => f.measures))];
  const columns = measures.map((m) => context.column(m, parameters.period));

  const rows: { urn: number; values: number[]; laCode: string | null }[] = [];
  const tenantOf = new Map<number, string>();
  for (const school of input.schools) {
    if (!columns.some((c) => c.has(school.urn))) continue;
    const read = (measure: string): number | undefined =>
      usableNumber(columns[measures.indexOf(measure)]?.get(school.urn));
    rows.push({
      urn: school.urn,
      values: features.map((f) => f.derive(read)),
      laCode: school.laCode,
    });
    tenantOf.set(school.urn, school.tenantId);
  }
  if (rows.length === 0) {
    throw new ComparisonInputError(
      `No ${parameters.phase} school has context data (${measures.join(', ')}) for ${parameters.period}`,
    );
  }

  // Prior attainment joins the default features only if no school would drop out for it.
  let used = features.map((f) => f.code);
  if (optional.length > 0) {
    const d = required.length;
    const complete = rows.filter((r) => r.values.slice(0, d).every((v) => !Number.isNaN(v)));
    const covered = complete.every((r) => r.values.slice(d).every((v) => !Number.isNaN(v)));
    if (!covered || complete.length === 0) {
      used = [...required];
      notes.push(
        `${optional.join(', ')} left out: not every school with the other features has it`,
      );
    }
  }
  // Features are passed only to methods that take them (fbit-pupil has fixed variables).
  const chosen = parameters.features ?? (optional.length > 0 ? used : null);
  const options = groupingOptions({ ...parameters, features: chosen });
  const needs = method.requirements(options);
  const register = needs.regions ? input.register : undefined;
  if (needs.regions && !register) {
    throw new ComparisonInputError(`${method.id} needs the LA register for schools' regions`);
  }
  const population = schoolPopulation(
    used,
    rows.map((r): SchoolRowInput => {
      const values = r.values.slice(0, used.length);
      const region = register && r.laCode ? register.regionOf(r.laCode) : undefined;
      return region ? { urn: r.urn, values, region } : { urn: r.urn, values };
    }),
    { withRegions: needs.regions },
  );
  const groups = method.findGroups(population, options);
  const reasons = new Map(groups.excluded.map((e) => [e.urn, e.reason]));
  const targets: number[] = [];
  const excludedTargets: ExcludedTarget[] = [];
  for (const urn of [...input.targets].sort((a, b) => a - b)) {
    if (groups.has(urn)) targets.push(urn);
    else {
      excludedTargets.push({
        urn,
        reason: reasons.get(urn) ?? `no context data for ${parameters.period}`,
      });
    }
  }
  return {
    features: used,
    population,
    groups,
    targets,
    excludedTargets,
    populationExcluded: groups.excluded.length,
    notes,
    tenantOf,
  };
}

/** The stored form of the targets' groups. */
export function groupRows(result: ComparisonGroups): GroupMemberRow[] {
  // Straight from the flat arrays (groupOf builds objects a national run has 0.3 M of).
  const { urns, offsets, members, distances, shares, features } = result.groups;
  const d = features.length;
  const rowOf = groupRowIndex(result.groups);
  const rows: GroupMemberRow[] = [];
  for (const urn of result.targets) {
    const row = rowOf.get(urn) as number;
    for (let at = offsets[row]; at < offsets[row + 1]; at++) {
      const neighbourUrn = urns[members[at]];
      const featureShares: Record<string, number> = {};
      if (shares) for (let j = 0; j < d; j++) featureShares[features[j]] = shares[at * d + j];
      rows.push({
        urn,
        rank: at - offsets[row] + 1,
        neighbourUrn,
        neighbourTenantId: result.tenantOf.get(neighbourUrn) as string,
        distance: distances[at],
        featureShares,
      });
    }
  }
  return rows;
}

function groupRowIndex(groups: SimilarSchoolGroups): Map<number, number> {
  return new Map(Array.from(groups.urns, (urn, i) => [urn, i]));
}

/** Member URNs of each target, most similar first. */
function membersOf(result: ComparisonGroups): Map<number, number[]> {
  const { urns, offsets, members } = result.groups;
  const rowOf = groupRowIndex(result.groups);
  return new Map(
    result.targets.map((urn) => {
      const row = rowOf.get(urn) as number;
      return [urn, Array.from(members.subarray(offsets[row], offsets[row + 1]), (m) => urns[m])];
    }),
  );
}

/** URNs whose outcomes the benchmarks need: the targets and their groups' members. */
export function benchmarkedSchools(result: ComparisonGroups): number[] {
  const urns = new Set(result.targets);
  for (const group of membersOf(result).values()) for (const urn of group) urns.add(urn);
  return [...urns].sort((a, b) => a - b);
}

/**
 * Benchmarks (SPEC §8) of each target, outcome measure and period with any observation, against
 * the target's group: quartiles, percentile rank, rank of n, gap to median, trend over the
 * periods up to that one, disadvantaged gap against the group's, and the contextual expectation
 * from OLS on the features over the whole population. All statistics come from comparisons-core.
 */
export function computeBenchmarks(input: BenchmarkInput): BenchmarkRow[] {
  const out: BenchmarkRow[] = [];
  for (const slice of benchmarkSlices(input, Number.POSITIVE_INFINITY)) {
    for (const row of slice) out.push(row);
  }
  return out;
}

export interface BenchmarkInput {
  readonly result: ComparisonGroups;
  readonly measures: readonly string[];
  /** Outcome periods, oldest first. */
  readonly periods: readonly string[];
  readonly outcomes: ObservationTable;
  readonly notes?: string[];
}

/**
 * `computeBenchmarks` a slice at a time (every row of `targetsPerSlice` targets): the worker
 * writes each slice while it computes the next.
 */
export function* benchmarkSlices(
  input: BenchmarkInput,
  targetsPerSlice: number,
): Generator<BenchmarkRow[]> {
  const { result, outcomes } = input;
  const { population } = result;
  const stride = population.features.length;
  const rowOf = new Map(Array.from(population.urns, (urn, i) => [urn, i]));
  // Each target's features, once (the model's input for every measure and period).
  const featuresOf = new Map<number, number[] | undefined>();
  for (const urn of result.targets) {
    const row = rowOf.get(urn);
    const x =
      row === undefined
        ? undefined
        : Array.from(population.values.subarray(row * stride, (row + 1) * stride));
    featuresOf.set(urn, x?.some(Number.isNaN) ? undefined : x);
  }
  // Every school a benchmark reads (targets and members) gets a position, once: per measure and
  // period its values are then looked up by URN once each, not once per group it is in.
  const members = membersOf(result);
  const positionOf = new Map<number, number>();
  const read = benchmarkedSchools(result);
  read.forEach((urn, i) => positionOf.set(urn, i));
  const memberPositions = new Map(
    [...members].map(([urn, group]) => [urn, group.map((u) => positionOf.get(u) as number)]),
  );
  const byPosition = (column: ReadonlyMap<number, ObservedValue>): (ObservedValue | undefined)[] =>
    read.map((urn) => column.get(urn));
  // Every measure and period with observations, its model fitted once (measure order, as the
  // notes report them).
  const outcomeColumns = input.measures.flatMap((measure) => {
    const catalogued = MEASURE_CATALOGUE.measure(measure);
    const polarity = catalogued?.polarity ?? 'neutral';
    const ci = catalogued?.confidenceInterval;
    const periods = input.periods.filter((p) => outcomes.has(measure, p));
    return periods.map((period, at) => {
      const allColumn = outcomes.column(measure, period);
      return {
        measure,
        period,
        polarity,
        all: byPosition(allColumn),
        disadvantaged: byPosition(outcomes.column(measure, period, 'disadvantaged')),
        others: byPosition(outcomes.column(measure, period, 'not_disadvantaged')),
        lower: ci ? byPosition(outcomes.column(ci.lower, period)) : null,
        upper: ci ? byPosition(outcomes.column(ci.upper, period)) : null,
        model: fitModel(population, allColumn, `${measure} ${period}`, input.notes),
        earlier: periods
          .slice(0, at + 1)
          .map((p) => ({ period: p, values: byPosition(outcomes.column(measure, p)) })),
      };
    });
  });
  // School by school (each its measures and periods): rows come out in the order of the
  // results' primary key, which keeps inserting them cheap.
  let out: BenchmarkRow[] = [];
  for (const [i, urn] of result.targets.entries()) {
    if (i > 0 && i % targetsPerSlice === 0) {
      yield out;
      out = [];
    }
    const group = memberPositions.get(urn) ?? [];
    const self = positionOf.get(urn) as number;
    for (const {
      measure,
      period,
      polarity,
      all,
      disadvantaged,
      others,
      lower,
      upper,
      model,
      earlier,
    } of outcomeColumns) {
      const own = all[self];
      const b = benchmarkAgainstGroup(
        own,
        group.map((g) => all[g]),
        polarity,
        // Stored in full; serving withholds what the tenant's minimum group size does not allow.
        { minGroupN: 1 },
      );
      const t = trend(earlier.map((e) => ({ period: e.period, value: e.values[self] })));
      const gap = disadvantagedGap(
        { disadvantaged: disadvantaged[self], notDisadvantaged: others[self] },
        group.map((g) => ({ disadvantaged: disadvantaged[g], notDisadvantaged: others[g] })),
      );
      const x = model ? featuresOf.get(urn) : undefined;
      const expected = model && x ? expectation(model, x, own) : undefined;
      out.push({
        urn,
        measure,
        period: Number(period),
        value: orNull(b.value),
        suppression: b.valueCode ?? null,
        groupN: b.groupN,
        median: orNull(b.median),
        q1: orNull(b.lowerQuartile),
        q3: orNull(b.upperQuartile),
        percentileRank: orNull(b.percentileRank),
        rank: orNull(b.rank),
        rankOf: orNull(b.of),
        gapToMedian: orNull(b.gapToMedian),
        trendSlope: orNull(t.slope),
        trendPeriods: t.periodsUsed,
        disadvantagedGap: orNull(gap.schoolGap),
        groupDisadvantagedGap: orNull(gap.groupGap),
        groupDisadvantagedN: gap.groupN,
        expectedValue: orNull(expected?.expected),
        residual: orNull(expected?.residual),
        suppressedCount: Object.values(b.suppressed).reduce((a, n) => a + n, 0),
        missingCount: b.missing,
        ...(lower && upper ? confidenceLimits(lower[self], upper[self]) : NO_LIMITS),
      });
    }
  }
  if (out.length > 0) yield out;
}

function fitModel(
  population: SchoolPopulation,
  outcomes: ReadonlyMap<number, ObservedValue>,
  what: string,
  notes: string[] | undefined,
): ContextualModel | undefined {
  try {
    return fitContextualModel(population, outcomes);
  } catch (error) {
    // Too few schools, or collinear features: no expectation rather than a wrong one.
    if (!(error instanceof ComparisonInputError)) throw error;
    notes?.push(`no contextual expectation for ${what}: ${error.message}`);
    return undefined;
  }
}

function expectation(
  model: ContextualModel,
  features: readonly number[],
  actual: ObservedValue,
): { expected: number; residual: number | undefined } {
  const value = usableNumber(actual);
  if (value === undefined) return { expected: model.model.predict(features), residual: undefined };
  return contextualExpectation(model.model, features, value);
}

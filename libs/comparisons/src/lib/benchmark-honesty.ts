import type { EntityManager } from 'typeorm';

import {
  CONFIDENCE_LIMITS,
  DEFAULT_MIN_GROUP_N,
  isInsufficientGroup,
  isSmallCohort,
  progressBand,
  significanceAgainst,
  wellThresholds,
} from '@schoolbench/comparisons-core';
import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';

import type { DatasetVersion } from './comparison-request';

/** The stored statistics a served benchmark starts from (a `comparison_benchmarks` row). */
export interface StoredBenchmark {
  run_id: string;
  urn: number;
  measure: string;
  period: number;
  value: number | null;
  group_n: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
  percentile_rank: number | null;
  rank: number | null;
  rank_of: number | null;
  gap_to_median: number | null;
  trend_periods: number[];
  /** DfE's limits as the run stored them (null: none, or a run from before they were stored). */
  ci_lower?: number | null;
  ci_upper?: number | null;
}

/** The catalogue's limit measures for a measure (KS2 progress, Progress 8 and its elements, ...). */
function limitMeasures(measure: string): { lower: string; upper: string } | undefined {
  return MEASURE_CATALOGUE.measure(measure)?.confidenceInterval ?? CONFIDENCE_LIMITS[measure];
}

const storedLimits = (r: StoredBenchmark): boolean => r.ci_lower != null && r.ci_upper != null;

/** Every measure's confidence-limit measures, `{ measure: [lower, upper] }`, for SQL (jsonb). */
export const LIMIT_MEASURES = JSON.stringify(
  Object.fromEntries(
    [...MEASURE_CATALOGUE.measures.map((m) => m.code), ...Object.keys(CONFIDENCE_LIMITS)].flatMap(
      (code) => {
        const limits = limitMeasures(code);
        return limits ? [[code, [limits.lower, limits.upper]]] : [];
      },
    ),
  ),
);

/**
 * What serving a benchmark reads, when the statement that read the benchmark read it too (one
 * round trip instead of three): the tenant's minimum group size, the group's members when the
 * group is under it, and the observations `[urn, measure, tenant, value, denominator]` of the
 * run's dataset versions for the school and those members, on the row's period and measure (and
 * its limit measures when the run did not store the limits).
 */
export interface ServedWith {
  min_group_n?: number;
  members?: number[] | null;
  observed?: [number, string, string, number | null, number | null][];
}

/** What serving adds to a stored benchmark, and what it withholds (docs/targets.md §2). */
export interface BenchmarkHonesty {
  readonly minGroupN: number;
  readonly insufficientGroup: boolean;
  /** The members' usable values, ascending, when the group is insufficient. */
  readonly memberValues: number[] | null;
  readonly cohort: number | null;
  readonly smallCohort: boolean;
  readonly confidenceLower: number | null;
  readonly confidenceUpper: number | null;
  readonly progressBand: string | null;
  readonly versusGroupMedian: string | null;
  readonly trendFromTwoPeriods: boolean;
}

interface ReadRow {
  urn: number;
  measure: string;
  time_period: number;
  tenant_id: string;
  value: number | null;
  denominator: number | null;
}

/** The tenant's minimum group size (benchmark_settings; default 5). */
export async function minGroupNOf(m: EntityManager, tenantId: string): Promise<number> {
  const [row] = await m.query<{ min_group_n: number }[]>(
    'select min_group_n from benchmark_settings where tenant_id = $1',
    [tenantId],
  );
  return row?.min_group_n ?? DEFAULT_MIN_GROUP_N;
}

/**
 * Makes stored benchmarks honest as they are served, in the reader's transaction: withholds
 * median, quartiles, percentile rank, rank and gap from groups under the tenant's minimum (and
 * gives the members' values instead), adds the school's cohort with DfE's small-cohort caution,
 * DfE's progress band and the significance of the difference from the group median where DfE
 * publishes confidence limits, and marks trends fitted to two periods. Values come from the
 * dataset versions the run read, so they are the run's own; partners' rows read are logged.
 */
export async function servedHonestly<T extends StoredBenchmark & ServedWith>(
  m: EntityManager,
  tenantId: string,
  rows: readonly T[],
  logPartnerReads: (
    reads: { tenantId: string; urn: number; measure: string; period: number }[],
  ) => Promise<void>,
): Promise<{ row: T; honesty: BenchmarkHonesty }[]> {
  if (rows.length === 0) return [];
  const { minGroupN, members, observed } = rows.every((r) => r.observed !== undefined)
    ? await readWith(tenantId, rows, logPartnerReads)
    : await read(m, tenantId, rows, logPartnerReads);
  const key = readKey;
  return rows.map((row) => {
    const insufficient = isInsufficientGroup(row.group_n, minGroupN);
    const at = (urn: number, measure: string) =>
      observed.get(key(row.run_id, urn, measure, row.period));
    const memberValues = insufficient
      ? (members.get(`${row.run_id}|${row.urn}`) ?? [])
          .map((u) => at(u, row.measure)?.value)
          .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
          .sort((a, b) => a - b)
      : null;
    const cohort = at(row.urn, row.measure)?.denominator ?? null;
    const limits = limitMeasures(row.measure);
    const lower = storedLimits(row)
      ? (row.ci_lower as number)
      : limits
        ? (at(row.urn, limits.lower)?.value ?? null)
        : null;
    const upper = storedLimits(row)
      ? (row.ci_upper as number)
      : limits
        ? (at(row.urn, limits.upper)?.value ?? null)
        : null;
    const withLimits = row.value !== null && lower !== null && upper !== null;
    // DfE bands only KS2 reading/writing/maths progress and Progress 8; other measures with
    // limits (Progress 8 elements, ...) get the significance against the group median only.
    const band =
      withLimits && CONFIDENCE_LIMITS[row.measure]
        ? progressBand(
            row.value as number,
            lower,
            upper,
            wellThresholds(row.measure, String(row.period)),
          )
        : undefined;
    const versus =
      withLimits && !insufficient && row.median !== null
        ? significanceAgainst(row.median, lower, upper)
        : null;
    const served: T = insufficient
      ? {
          ...row,
          median: null,
          q1: null,
          q3: null,
          percentile_rank: null,
          rank: null,
          rank_of: null,
          gap_to_median: null,
        }
      : row;
    return {
      row: served,
      honesty: {
        minGroupN,
        insufficientGroup: insufficient,
        memberValues,
        cohort,
        smallCohort: isSmallCohort(cohort),
        confidenceLower: lower,
        confidenceUpper: upper,
        progressBand: band ?? null,
        versusGroupMedian: versus,
        trendFromTwoPeriods: row.trend_periods.length === 2,
      },
    };
  });
}

interface Read {
  minGroupN: number;
  /** Members of the groups under the minimum, by `run|urn`. */
  members: Map<string, number[]>;
  /** Observations by `run|urn|measure|period`. */
  observed: Map<string, { value: number | null; denominator: number | null }>;
}

const readKey = (run: string, urn: number, measure: string, period: number) =>
  `${run}|${urn}|${measure}|${period}`;

/** What the benchmarks' own statement read (ServedWith); partners' observations are logged. */
async function readWith(
  tenantId: string,
  rows: readonly (StoredBenchmark & ServedWith)[],
  logPartnerReads: (
    reads: { tenantId: string; urn: number; measure: string; period: number }[],
  ) => Promise<void>,
): Promise<Read> {
  const members = new Map<string, number[]>();
  const observed: Read['observed'] = new Map();
  const partners = new Map<
    string,
    { tenantId: string; urn: number; measure: string; period: number }
  >();
  for (const r of rows) {
    if (r.members) members.set(`${r.run_id}|${r.urn}`, r.members);
    for (const [urn, measure, tenant, value, denominator] of r.observed ?? []) {
      const key = readKey(r.run_id, urn, measure, r.period);
      observed.set(key, { value, denominator });
      if (tenant !== tenantId)
        partners.set(`${tenant}|${key}`, { tenantId: tenant, urn, measure, period: r.period });
    }
  }
  await logPartnerReads([...partners.values()]);
  return { minGroupN: rows[0].min_group_n ?? DEFAULT_MIN_GROUP_N, members, observed };
}

/** Reads what serving needs in statements of its own (rows read without it). */
async function read(
  m: EntityManager,
  tenantId: string,
  rows: readonly StoredBenchmark[],
  logPartnerReads: (
    reads: { tenantId: string; urn: number; measure: string; period: number }[],
  ) => Promise<void>,
): Promise<Read> {
  const key = readKey;
  const runIds = [...new Set(rows.map((r) => r.run_id))];
  // The runs' dataset versions and the tenant's minimum group size in one round trip.
  const runs = await m.query<
    { id: string; dataset_versions: DatasetVersion[]; min_group_n: number | null }[]
  >(
    `select id, dataset_versions,
            (select min_group_n from benchmark_settings where tenant_id = $1) as min_group_n
       from comparison_runs where tenant_id = $1 and id = any($2::uuid[])`,
    [tenantId, runIds],
  );
  const minGroupN =
    runs.length > 0 ? (runs[0].min_group_n ?? DEFAULT_MIN_GROUP_N) : await minGroupNOf(m, tenantId);
  const small = rows.filter((r) => isInsufficientGroup(r.group_n, minGroupN));
  const members = new Map<string, number[]>();
  if (small.length > 0) {
    const groups = await m.query<{ run_id: string; urn: number; members: number[] }[]>(
      `select run_id, urn, array_agg(neighbour_urn order by rank) as members from comparison_groups
       where tenant_id = $1 and run_id = any($2::uuid[]) and urn = any($3::int[])
       group by run_id, urn`,
      [tenantId, [...new Set(small.map((r) => r.run_id))], [...new Set(small.map((r) => r.urn))]],
    );
    for (const g of groups) members.set(`${g.run_id}|${g.urn}`, g.members);
  }

  // One read per run: the targets' values (cohort, limits) and the small groups' members' values.
  const observed = new Map<string, ReadRow>();
  for (const run of runs) {
    const own = rows.filter((r) => r.run_id === run.id);
    const urns = new Set(own.map((r) => r.urn));
    for (const r of own) for (const u of members.get(`${r.run_id}|${r.urn}`) ?? []) urns.add(u);
    const measures = new Set<string>();
    for (const r of own) {
      measures.add(r.measure);
      // Runs from before limits were stored: read them from the observations the run read.
      const limits = storedLimits(r) ? undefined : limitMeasures(r.measure);
      if (limits) {
        measures.add(limits.lower);
        measures.add(limits.upper);
      }
    }
    const datasets = run.dataset_versions;
    if (datasets.length === 0) continue;
    const read = await m.query<ReadRow[]>(
      `select distinct on (o.urn, o.measure, o.time_period)
              o.urn, o.measure, o.time_period, o.tenant_id, o.value, o.denominator
       from observations o
       where o.tenant_id = any($1::uuid[]) and o.dataset_id = any($2::uuid[])
         and o.measure = any($3::text[]) and o.time_period = any($4::int[])
         and o.breakdown = 'all' and o.urn = any($5::int[])
       order by o.urn, o.measure, o.time_period, array_position($2::uuid[], o.dataset_id)`,
      [
        [...new Set(datasets.map((d) => d.tenantId))],
        datasets.map((d) => d.id),
        [...measures],
        [...new Set(own.map((r) => r.period))],
        [...urns],
      ],
    );
    await logPartnerReads(
      read
        .filter((r) => r.tenant_id !== tenantId)
        .map((r) => ({
          tenantId: r.tenant_id,
          urn: r.urn,
          measure: r.measure,
          period: r.time_period,
        })),
    );
    for (const r of read) observed.set(key(run.id, r.urn, r.measure, r.time_period), r);
  }

  return { minGroupN, members, observed };
}

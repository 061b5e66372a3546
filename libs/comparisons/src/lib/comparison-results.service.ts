import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  breakdownGap,
  ComparisonInputError,
  DEFAULT_MIN_GROUP_N,
  earlyWarning,
  groupEstimates,
  periodYear,
  type BreakdownGap,
  type GroupEstimates,
  type ObservedValue,
} from '@schoolbench/comparisons-core';
import { BREAKDOWNS, MEASURE_CATALOGUE } from '@schoolbench/data-format-core';
import { badInput, forbidden, notFound } from '@schoolbench/graphql';
import { SchoolSource } from '@schoolbench/schools';
import { AccessLog } from '@schoolbench/sharing';
import {
  configuredDistribution,
  preparedStatement,
  SCHOOL_ROLES,
  TenantContext,
  TenantTransactions,
} from '@schoolbench/tenancy';

import {
  LIMIT_MEASURES,
  minGroupNOf,
  servedHonestly,
  type BenchmarkHonesty,
  type ServedWith,
} from './benchmark-honesty';
import { ComparisonData } from './comparison-data';
import { OUTCOME_YEARS, outcomePeriods } from './comparison-request';
import { isRunId, runId, type ComparisonRunRow } from './comparison-run-row';
import { ComparisonRunsService } from './comparison-runs.service';
import { contextFeatures } from './context-features';
import type {
  BenchmarkModel,
  EarlyWarningModel,
  ProgressBandValue,
  SchoolGroupModel,
  SignificanceValue,
  SimilarSchoolModel,
} from './models/comparison-results.model';
import { ObservationTable } from './observation-table';

interface GroupRow {
  run_id: string;
  urn: number;
  rank: number;
  neighbour_urn: number;
  neighbour_tenant_id: string;
  is_reference: boolean;
  distance: number;
  /** Shares in the order of `features`, the run's. */
  feature_shares: (number | null)[];
  features: string[];
  name: string | null;
  la_code: string | null;
}

interface BenchmarkRow extends ServedWith {
  run_id: string;
  urn: number;
  measure: string;
  period: number;
  value: number | null;
  suppression: string | null;
  group_n: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
  percentile_rank: number | null;
  rank: number | null;
  rank_of: number | null;
  gap_to_median: number | null;
  trend_slope: number | null;
  trend_periods: number[];
  disadvantaged_gap: number | null;
  group_disadvantaged_gap: number | null;
  expected_value: number | null;
  residual: number | null;
  suppressed_count: number;
  missing_count: number;
}

export interface BenchmarkFilter {
  measures?: string[] | null;
  period?: string | null;
}

/**
 * The columns every group read returns before the neighbour's name and LA code (`g` the group row,
 * `r` its run). The two arrays come as JSON: node-postgres parses array literals in JavaScript,
 * character by character (about 4% of the API's CPU on the bench's nested query); JSON.parse is
 * native.
 */
const GROUP_COLUMNS = `g.run_id, g.urn, g.rank, g.neighbour_urn, g.neighbour_tenant_id, g.distance,
              to_json(g.feature_shares) as feature_shares, to_json(r.features) as features,
              g.neighbour_tenant_id is not distinct from app_public_tenant() as is_reference`;

/**
 * The groups of the chosen runs' schools: each school's latest completed, served run ($1 tenant,
 * $2 run or null, $3 URNs or null, $4 the school a school role is bound to or null), with
 * GROUP_COLUMNS.
 */
const CHOSEN_GROUPS = `with chosen as (
         select distinct on (l.urn) l.urn, l.run_id from comparison_groups l
         join comparison_runs r on r.tenant_id = l.tenant_id and r.id = l.run_id
         where l.tenant_id = $1 and l.rank = 1 and r.status = 'completed' and not r.stale
           and ($2::uuid is null or l.run_id = $2) and ($3::int[] is null or l.urn = any($3))
           and ($4::int is null or l.urn = $4)
         order by l.urn, r.finished_at desc, r.id)
       select ${GROUP_COLUMNS}`;

/** Group members of the chosen runs' schools with their names (groupRows, one node). */
const GROUP_ROWS = preparedStatement(`${CHOSEN_GROUPS}, s.name, s.la_code
       from comparison_groups g
       join chosen c on c.urn = g.urn and c.run_id = g.run_id
       join comparison_runs r on r.tenant_id = g.tenant_id and r.id = g.run_id
       left join schools s on s.tenant_id = g.neighbour_tenant_id and s.urn = g.neighbour_urn
       where g.tenant_id = $1
       order by g.urn, g.rank`);

/**
 * A school's group in a given run ($1 tenant, $2 run, $3 URN), the common read of a headteacher's
 * page and of `comparisonRun { groups(urn) }`: the same rows as GROUP_ROWS with that run and URN,
 * in a statement without nullable conditions, so that its generic plan (prepared once per
 * connection) goes straight to the run's and the school's index entries instead of being planned
 * again on every execution. The run and the school are compared as `(select $n)`, values the
 * planner does not look into: otherwise a run of one school, whose rows the statistics know to be
 * few, makes every custom plan look cheaper than the generic one, and PostgreSQL keeps planning it
 * (0.43 ms a request, against 0.05 for an all-schools run's).
 */
const GROUP_ROWS_OF_SCHOOL = preparedStatement(`select ${GROUP_COLUMNS}, s.name, s.la_code
       from comparison_runs r
       join comparison_groups g on g.tenant_id = r.tenant_id and g.run_id = r.id
         and g.urn = (select $3::int)
       left join schools s on s.tenant_id = g.neighbour_tenant_id and s.urn = g.neighbour_urn
       where r.tenant_id = $1 and r.id = (select $2::uuid) and r.status = 'completed' and not r.stale
         and exists (select 1 from comparison_groups l
                     where l.tenant_id = $1 and l.run_id = (select $2::uuid)
                       and l.urn = (select $3::int) and l.rank = 1)
       order by g.rank`);

/**
 * What serving stored benchmarks `b` honestly reads (benchmark-honesty), joined to them: the
 * tenant's minimum group size, the members of groups under it, and per row the observations of
 * the run's dataset versions (`c.tenants`, `c.datasets`) for the school (and those members) on
 * the row's measure and its confidence-limit measures (when the run did not store the limits),
 * first dataset version first. Each observation is one index probe on (tenant, school, measure,
 * period). Placeholders: the tenant, the default minimum and each measure's limit measures.
 */
const servedWith = (tenant: string, defaultMin: string, limits: string) => `
 setting as (
   select coalesce((select min_group_n from benchmark_settings where tenant_id = ${tenant}),
                   ${defaultMin}::int) as min_group_n)
select b.*, s.min_group_n, g.members, coalesce(o.observed, '[]'::json) as observed
from comparison_benchmarks b
join chosen c on c.urn = b.urn and c.run_id = b.run_id
cross join setting s
left join lateral (
  select array_agg(m.neighbour_urn order by m.rank) as members from comparison_groups m
  where b.group_n < s.min_group_n and m.tenant_id = ${tenant} and m.run_id = b.run_id
    and m.urn = b.urn
) g on true
left join lateral (
  select json_agg(json_build_array(x.urn, x.measure, x.tenant_id, x.value, x.denominator)) as observed
  from unnest(array[b.urn] || coalesce(g.members, '{}'::int[])) u(urn)
  cross join unnest(array[b.measure] || case when b.ci_lower is null or b.ci_upper is null
        then array(select jsonb_array_elements_text(${limits}::jsonb -> b.measure)) else '{}' end
      ) k(measure)
  cross join lateral (
    select o.urn, o.measure, o.tenant_id, o.value, o.denominator from observations o
    where o.tenant_id = any(c.tenants) and o.urn = u.urn and o.measure = k.measure
      and o.time_period = b.period and o.dataset_id = any(c.datasets) and o.breakdown = 'all'
    order by array_position(c.datasets, o.dataset_id) limit 1
  ) x
) o on true`;

/** The tenants and the dataset versions a run read, in the run's order. */
const RUN_VERSIONS = `array(select (v.d->>'tenantId')::uuid from jsonb_array_elements(r.dataset_versions)
                with ordinality v(d, i) order by v.i) as tenants,
          array(select (v.d->>'id')::uuid from jsonb_array_elements(r.dataset_versions)
                with ordinality v(d, i) order by v.i) as datasets`;

/**
 * Stored benchmarks of the chosen runs' schools (as CHOSEN_GROUPS; $5 measures or null, $6 period
 * or null) with what serving them honestly reads, in one statement. $7: the default minimum
 * group size; $8: each measure's limit measures.
 */
const BENCHMARK_ROWS = preparedStatement(`with chosen as (
   select distinct on (l.urn) l.urn, l.run_id, ${RUN_VERSIONS}
   from comparison_benchmarks l
   join comparison_runs r on r.tenant_id = l.tenant_id and r.id = l.run_id
   where l.tenant_id = $1 and r.status = 'completed' and not r.stale
     and ($2::uuid is null or l.run_id = $2) and ($3::int[] is null or l.urn = any($3))
     and ($4::int is null or l.urn = $4) and ($5::text[] is null or l.measure = any($5))
   order by l.urn, r.finished_at desc, r.id),
${servedWith('$1', '$7', '$8')}
where b.tenant_id = $1 and ($5::text[] is null or b.measure = any($5))
  and ($6::int is null or b.period = $6)
order by b.urn, b.measure, b.period`);

/**
 * One school's stored benchmarks in a given run ($1 tenant, $2 run, $3 URN; $4 measures or null,
 * $5 period or null; $6 the default minimum, $7 the limit measures): BENCHMARK_ROWS for that run
 * and URN without the nullable conditions on the run and the school (see GROUP_ROWS_OF_SCHOOL).
 */
const BENCHMARK_ROWS_OF_SCHOOL = preparedStatement(`with chosen as (
   select $3::int as urn, r.id as run_id, ${RUN_VERSIONS}
   from comparison_runs r
   where r.tenant_id = $1 and r.id = $2 and r.status = 'completed' and not r.stale),
${servedWith('$1', '$6', '$7')}
where b.tenant_id = $1 and b.urn = $3 and b.run_id = $2
  and ($4::text[] is null or b.measure = any($4)) and ($5::int is null or b.period = $5)
order by b.measure, b.period`);

const LABELS = new Map(
  [...contextFeatures('primary'), ...contextFeatures('secondary')].map((f) => [f.code, f.label]),
);

/** "2017" → "201718": the EES period a start year names. */
const periodOfYear = (year: number): string =>
  `${year}${String((year + 1) % 100).padStart(2, '0')}`;

/**
 * Reads finished runs' groups and benchmarks (completed, non-stale runs only) and derives early
 * warnings from them. Batch methods serve the per-request DataLoaders of `School` fields.
 */
@Injectable()
export class ComparisonResultsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly runs: ComparisonRunsService,
    private readonly accessLog: AccessLog,
  ) {}

  /** Groups of a run's schools (one school's with `urn`); a school role sees its own only. */
  async groupsOfRun(
    run: { id: string; status: string },
    urn?: number | null,
  ): Promise<SchoolGroupModel[]> {
    if (run.status !== 'completed') return [];
    const rows = await this.tx.run(async (m) => {
      await this.runs.servedRun(m, run.id);
      return this.logged(m, 'ComparisonRun.groups', await this.groupsOfRunRead(m, run.id, urn));
    });
    const groups = new Map<number, SimilarSchoolModel[]>();
    for (const r of rows) {
      const members = groups.get(r.urn) ?? [];
      members.push(this.toSimilarSchool(r));
      groups.set(r.urn, members);
    }
    return [...groups].map(([school, members]) => ({ urn: school, members }));
  }

  async benchmarksOfRun(
    run: { id: string; status: string },
    urn: number | null | undefined,
    filter: BenchmarkFilter,
  ): Promise<BenchmarkModel[]> {
    if (run.status !== 'completed') return [];
    const rows = await this.tx.run(async (m) => {
      await this.runs.servedRun(m, run.id);
      return this.honest(m, await this.benchmarksOfRunRead(m, run.id, urn, filter));
    });
    return rows.map(({ row, honesty }) => toBenchmark(row, honesty));
  }

  /**
   * Starts the reads of a run's `groups` and `benchmarks` fields that a query selects (with each
   * selection's arguments) at once, beside the run's served check: within a request's shared
   * transaction their statements then go out in the same write as the check instead of after its
   * answer (one write and one wait fewer). The fields take these reads from the request
   * (`RequestScope.once`) and serve them only once the check has passed, as before: when it fails
   * nothing read ahead is answered or logged. Outside a request's transaction nothing is started.
   */
  readAhead(
    id: string,
    selected: {
      groups: readonly { urn?: number | null }[];
      benchmarks: readonly {
        urn?: number | null;
        measures?: string[] | null;
        period?: string | null;
      }[];
    },
  ): void {
    if (!this.context.requestScope() || !isRunId(id)) return;
    if (selected.groups.length === 0 && selected.benchmarks.length === 0) return;
    const started = this.tx.run(async (m) => {
      const reads: Promise<unknown>[] = [
        ...selected.groups.map((g) => this.groupsOfRunRead(m, id, g.urn)),
        ...selected.benchmarks.map((b) => this.benchmarksOfRunRead(m, id, b.urn, b)),
      ];
      return Promise.all(reads);
    });
    // A read that fails is reported by its field, which awaits the same read; one never awaited
    // (the check failed) must not end the process as an unhandled rejection.
    started.catch(() => undefined);
  }

  /**
   * Similar schools of many schools at once: from the given run, or else each school's latest
   * completed, non-stale run that grouped it. One query for the whole batch.
   */
  async similarSchoolsOf(
    urns: readonly number[],
    id: string | null,
  ): Promise<Map<number, SimilarSchoolModel[]>> {
    const rows = await this.tx.run(async (m) => {
      if (id !== null) await this.runs.servedRun(m, id);
      return this.logged(m, 'School.similarSchools', await this.groupRows(m, id, urns));
    });
    const byUrn = new Map<number, SimilarSchoolModel[]>(urns.map((u) => [u, []]));
    for (const r of rows) byUrn.get(r.urn)?.push(this.toSimilarSchool(r));
    return byUrn;
  }

  /** Benchmarks of many schools at once, from the given run or each school's latest one. */
  async benchmarksOf(
    urns: readonly number[],
    id: string | null,
    filter: BenchmarkFilter,
  ): Promise<Map<number, BenchmarkModel[]>> {
    const rows = await this.tx.run(async (m) => {
      if (id !== null) await this.runs.servedRun(m, id);
      return this.honest(m, await this.benchmarkRows(m, id, urns, filter));
    });
    const byUrn = new Map<number, BenchmarkModel[]>(urns.map((u) => [u, []]));
    for (const { row, honesty } of rows) byUrn.get(row.urn)?.push(toBenchmark(row, honesty));
    return byUrn;
  }

  /**
   * Schools causing concern (SPEC journey 4) among a run's schools: in their group's worst
   * quartile in at least `required` of the last `periods` periods, or with the latest value
   * worse than `floor`. The test is comparisons-core's `earlyWarning`, fed with the observations
   * of the dataset versions the run read, so the groups and the values are the run's own.
   */
  async earlyWarnings(args: {
    measure: string;
    runId?: string | null;
    floor?: number | null;
    periods: number;
    required: number;
  }): Promise<EarlyWarningModel[]> {
    const measure = MEASURE_CATALOGUE.measure(args.measure);
    if (!measure) throw badInput(`"${args.measure}" is not a measure of the catalogue`);
    if (measure.polarity === 'neutral') {
      throw badInput(`${measure.code} has no better direction, so no school can fall behind on it`);
    }
    if (
      !Number.isInteger(args.periods) ||
      !Number.isInteger(args.required) ||
      args.periods < 1 ||
      args.periods > OUTCOME_YEARS ||
      args.required < 1 ||
      args.required > args.periods
    ) {
      throw badInput(
        `Use 1 ≤ required ≤ periods ≤ ${OUTCOME_YEARS} (a run holds ${OUTCOME_YEARS} years of outcomes)`,
      );
    }
    if (args.floor != null && !Number.isFinite(args.floor))
      throw badInput('The floor must be a number');
    const tenantId = this.tenantId();
    return this.tx.run(async (m) => {
      const run = args.runId
        ? await this.runs.servedRun(m, args.runId)
        : await this.latestRunWith(m, measure.code);
      if (run.status !== 'completed') {
        throw badInput(
          `Comparison run ${run.id} is ${run.status}; early warnings need a completed run`,
        );
      }
      if (!run.parameters.outcomeMeasures.includes(measure.code)) {
        throw badInput(`Comparison run ${run.id} did not benchmark ${measure.code}`);
      }
      const groups = await m.query<{ urn: number; members: number[]; name: string | null }[]>(
        `select g.urn, array_agg(g.neighbour_urn order by g.rank) as members, min(s.name) as name
         from comparison_groups g left join schools s on s.tenant_id = g.tenant_id and s.urn = g.urn
         where g.tenant_id = $1 and g.run_id = $2 and ($3::int is null or g.urn = $3)
         group by g.urn order by g.urn`,
        [tenantId, run.id, this.schoolScope()],
      );
      const urns = [...new Set(groups.flatMap((g) => [g.urn, ...g.members]))];
      const periods = outcomePeriods(run.parameters.period);
      const table = await new ComparisonData(m, tenantId).observations(new ObservationTable(), {
        datasets: run.dataset_versions,
        measures: [measure.code],
        periods,
        breakdowns: ['all'],
        urns,
      });
      const observed = periods.filter((p) => table.has(measure.code, p));
      const minGroupN = await minGroupNOf(m, tenantId);
      // Without a floor only the quartile test applies: a floor no value can be worse than.
      const floor =
        args.floor ?? (measure.polarity === 'higher_better' ? Number.MAX_VALUE : -Number.MAX_VALUE);
      const out: EarlyWarningModel[] = [];
      for (const g of groups) {
        const history = observed.map((p) => {
          const column = table.column(measure.code, p);
          const value: ObservedValue = column.get(g.urn);
          return { period: p, value, group: g.members.map((u) => column.get(u)) };
        });
        let result: ReturnType<typeof earlyWarning>;
        try {
          result = earlyWarning(history, {
            polarity: measure.polarity,
            floor,
            periods: args.periods,
            required: args.required,
            minGroupN,
          });
        } catch (error) {
          if (error instanceof ComparisonInputError) throw badInput(error.message);
          throw error;
        }
        const inWorstQuartile = result.worstQuartilePeriods.length >= args.required;
        const belowFloor = args.floor == null ? null : result.worseThanFloor;
        if (!inWorstQuartile && !belowFloor) continue;
        out.push({
          runId: run.id,
          urn: g.urn,
          name: g.name,
          measure: measure.code,
          worstQuartilePeriods: result.worstQuartilePeriods.map(periodOfYear),
          periodsConsidered: result.periodsConsidered.map(periodOfYear),
          latestValue: result.latestValue ?? null,
          inWorstQuartile,
          belowFloor,
          bothSignals: args.floor != null && result.warn,
        });
      }
      return out;
    });
  }

  /**
   * Estimates from similar schools (docs/targets.md §4): what the school's group in its latest
   * completed run that benchmarked the measure reaches at the 50th/80th/95th percentile, from
   * the observations of the run's dataset versions. Null when no run grouped the school.
   */
  async estimatesOf(
    urn: number,
    measureCode: string,
    period: string,
  ): Promise<{ runId: string; members: number[]; estimates: GroupEstimates } | null> {
    const measure = MEASURE_CATALOGUE.measure(measureCode);
    if (!measure) throw badInput(`"${measureCode}" is not a measure of the catalogue`);
    if (measure.polarity === 'neutral') {
      throw badInput(`${measure.code} has no better direction, so nothing to aim for`);
    }
    const year = this.period(period);
    const scope = this.schoolScope();
    if (scope !== null && scope !== urn) {
      throw forbidden(`Your role sees its own school only (${scope})`);
    }
    const tenantId = this.tenantId();
    return this.tx.run(async (m) => {
      const grouped = await this.latestGroupOf(m, urn, measure.code);
      if (!grouped) return null;
      const { run, members } = grouped;
      const table = await new ComparisonData(m, tenantId, (mm, reads) =>
        this.accessLog.record(mm, 'targetSuggestion', reads),
      ).observations(new ObservationTable(), {
        datasets: run.dataset_versions,
        measures: [measure.code],
        periods: [String(year)],
        breakdowns: ['all'],
        urns: members,
      });
      const column = table.column(measure.code, String(year));
      const minGroupN = await minGroupNOf(m, tenantId);
      return {
        runId: run.id,
        members,
        estimates: groupEstimates(
          members.map((u) => column.get(u)),
          measure.polarity,
          minGroupN,
        ),
      };
    });
  }

  /**
   * The pupil-group drill-down (docs/targets.md §6): for each breakdown the data has for the
   * school, its value against the same breakdown's median in its similar-school group, period by
   * period over the run's outcome periods, with the gap and its three-year trend. From the
   * school's latest completed run that benchmarked the measure; null without one.
   */
  async pupilGroupsOf(
    urn: number,
    measureCode: string,
  ): Promise<{ runId: string; breakdowns: { breakdown: string; gap: BreakdownGap }[] } | null> {
    const measure = MEASURE_CATALOGUE.measure(measureCode);
    if (!measure) throw badInput(`"${measureCode}" is not a measure of the catalogue`);
    const scope = this.schoolScope();
    if (scope !== null && scope !== urn) {
      throw forbidden(`Your role sees its own school only (${scope})`);
    }
    const tenantId = this.tenantId();
    return this.tx.run(async (m) => {
      const grouped = await this.latestGroupOf(m, urn, measure.code);
      if (!grouped) return null;
      const { run, members } = grouped;
      const periods = outcomePeriods(run.parameters.period);
      const table = await new ComparisonData(m, tenantId, (mm, reads) =>
        this.accessLog.record(mm, 'pupilGroupGaps', reads),
      ).observations(new ObservationTable(), {
        datasets: run.dataset_versions,
        measures: [measure.code],
        periods,
        breakdowns: [...BREAKDOWNS],
        urns: [urn, ...members],
      });
      const minGroupN = await minGroupNOf(m, tenantId);
      const breakdowns = BREAKDOWNS.filter((b) =>
        periods.some((p) => table.get(measure.code, p, b, urn) !== undefined),
      ).map((breakdown) => ({
        breakdown,
        gap: breakdownGap(
          periods.map((p) => ({
            period: p,
            value: table.get(measure.code, p, breakdown, urn),
            group: members.map((u) => table.get(measure.code, p, breakdown, u)),
          })),
          minGroupN,
        ),
      }));
      return { runId: run.id, breakdowns };
    });
  }

  /** The school's latest completed, non-stale run that benchmarked the measure and grouped it. */
  private async latestGroupOf(
    m: EntityManager,
    urn: number,
    measure: string,
  ): Promise<{ run: ComparisonRunRow; members: number[] } | null> {
    const tenantId = this.tenantId();
    const [run] = await m.query<ComparisonRunRow[]>(
      `select r.* from comparison_runs r
       where r.tenant_id = $1 and r.status = 'completed' and not r.stale
         and r.parameters->'outcomeMeasures' ? $2
         and exists (select 1 from comparison_groups g
                     where g.tenant_id = r.tenant_id and g.run_id = r.id and g.urn = $3)
       order by r.finished_at desc, r.id limit 1`,
      [tenantId, measure, urn],
    );
    if (!run) return null;
    const members = (
      await m.query<{ neighbour_urn: number }[]>(
        `select neighbour_urn from comparison_groups
         where tenant_id = $1 and run_id = $2 and urn = $3 order by rank`,
        [tenantId, run.id, urn],
      )
    ).map((r) => r.neighbour_urn);
    return { run, members };
  }

  private async latestRunWith(m: EntityManager, measure: string): Promise<ComparisonRunRow> {
    const [run] = await m.query<ComparisonRunRow[]>(
      `select * from comparison_runs r
       where r.tenant_id = $1 and r.status = 'completed' and not r.stale
         and r.parameters->'outcomeMeasures' ? $2
         and ($3::int is null or (r.parameters->>'allSchools')::boolean or (r.parameters->>'targetUrn')::int = $3)
       order by (r.parameters->>'allSchools')::boolean desc, r.finished_at desc, r.id limit 1`,
      [this.tenantId(), measure, this.schoolScope()],
    );
    if (!run) throw notFound(`A completed comparison run benchmarking ${measure}`);
    return run;
  }

  /** A run's group rows (one school's with `urn`), read once per request for these arguments. */
  private groupsOfRunRead(
    m: EntityManager,
    id: string,
    urn: number | null | undefined,
  ): Promise<GroupRow[]> {
    const read = () => this.groupRows(m, id, urn == null ? null : [urn]);
    const scope = this.context.requestScope();
    return scope ? scope.once(m, `groups:${id.toLowerCase()}:${urn ?? ''}`, read) : read();
  }

  /** A run's benchmark rows (one school's with `urn`), read once per request for these arguments. */
  private benchmarksOfRunRead(
    m: EntityManager,
    id: string,
    urn: number | null | undefined,
    filter: BenchmarkFilter,
  ): Promise<BenchmarkRow[]> {
    const read = () => this.benchmarkRows(m, id, urn == null ? null : [urn], filter);
    const scope = this.context.requestScope();
    const key = JSON.stringify([
      id.toLowerCase(),
      urn ?? null,
      filter.measures ?? null,
      filter.period ?? null,
    ]);
    return scope ? scope.once(m, `benchmarks:${key}`, read) : read();
  }

  /**
   * Group members of the schools (all of the run's with `urns` null), each from the given run or
   * else from its latest completed, non-stale run. Names come from the neighbour's own register
   * row (own or reference), as row-level security allows: read per neighbour tenant, with the
   * tenant in the condition, rather than joined on the URN across tenants (on Citus that join
   * spans shards and is refused: docs/scaling.md §9.6).
   */
  private async groupRows(
    m: EntityManager,
    id: string | null,
    urns: readonly number[] | null,
  ): Promise<GroupRow[]> {
    if (configuredDistribution() === 'single-node') {
      const school = this.oneSchoolOfRun(id, urns);
      if (school === 'none') return [];
      if (school) return m.query<GroupRow[]>(GROUP_ROWS_OF_SCHOOL, [this.tenantId(), ...school]);
      return m.query<GroupRow[]>(GROUP_ROWS, [
        this.tenantId(),
        id === null ? null : runId(id),
        urns,
        this.schoolScope(),
      ]);
    }
    // Citus: a join of the tenant's groups with other tenants' schools on URN is a join across
    // shards, which Citus refuses; the names are read per neighbour tenant instead.
    const rows = await m.query<GroupRow[]>(
      `${CHOSEN_GROUPS}, null as name, null as la_code
       from comparison_groups g
       join chosen c on c.urn = g.urn and c.run_id = g.run_id
       join comparison_runs r on r.tenant_id = g.tenant_id and r.id = g.run_id
       where g.tenant_id = $1
       order by g.urn, g.rank`,
      [this.tenantId(), id === null ? null : runId(id), urns, this.schoolScope()],
    );
    const byTenant = new Map<string, Set<number>>();
    for (const r of rows) {
      const urnsOf = byTenant.get(r.neighbour_tenant_id) ?? new Set<number>();
      urnsOf.add(r.neighbour_urn);
      byTenant.set(r.neighbour_tenant_id, urnsOf);
    }
    const registered = new Map<string, { name: string; la_code: string | null }>();
    for (const [tenant, tenantUrns] of byTenant) {
      const schools = await m.query<{ urn: number; name: string; la_code: string | null }[]>(
        'select urn, name, la_code from schools where tenant_id = $1 and urn = any($2::int[])',
        [tenant, [...tenantUrns]],
      );
      for (const s of schools) registered.set(`${tenant}|${s.urn}`, s);
    }
    for (const r of rows) {
      const school = registered.get(`${r.neighbour_tenant_id}|${r.neighbour_urn}`);
      r.name = school?.name ?? null;
      r.la_code = school?.la_code ?? null;
    }
    return rows;
  }

  private benchmarkRows(
    m: EntityManager,
    id: string | null,
    urns: readonly number[] | null,
    filter: BenchmarkFilter,
  ): Promise<BenchmarkRow[]> {
    if (configuredDistribution() === 'citus') return this.benchmarkRowsApart(m, id, urns, filter);
    const school = this.oneSchoolOfRun(id, urns);
    if (school === 'none') return Promise.resolve([]);
    if (school) {
      return m.query<BenchmarkRow[]>(BENCHMARK_ROWS_OF_SCHOOL, [
        this.tenantId(),
        ...school,
        filter.measures?.length ? filter.measures : null,
        this.period(filter.period),
        DEFAULT_MIN_GROUP_N,
        LIMIT_MEASURES,
      ]);
    }
    return m.query<BenchmarkRow[]>(BENCHMARK_ROWS, [
      this.tenantId(),
      id === null ? null : runId(id),
      urns,
      this.schoolScope(),
      filter.measures?.length ? filter.measures : null,
      this.period(filter.period),
      DEFAULT_MIN_GROUP_N,
      LIMIT_MEASURES,
    ]);
  }

  /**
   * Citus: the stored rows alone (what serving them needs is read per run by servedHonestly, with
   * each tenant's observations named by tenant), since BENCHMARK_ROWS joins the tenant's rows with
   * other tenants' observations, a join across shards.
   */
  private benchmarkRowsApart(
    m: EntityManager,
    id: string | null,
    urns: readonly number[] | null,
    filter: BenchmarkFilter,
  ): Promise<BenchmarkRow[]> {
    return m.query<BenchmarkRow[]>(
      `with chosen as (
         select distinct on (l.urn) l.urn, l.run_id from comparison_benchmarks l
         join comparison_runs r on r.tenant_id = l.tenant_id and r.id = l.run_id
         where l.tenant_id = $1 and r.status = 'completed' and not r.stale
           and ($2::uuid is null or l.run_id = $2) and ($3::int[] is null or l.urn = any($3))
           and ($4::int is null or l.urn = $4) and ($5::text[] is null or l.measure = any($5))
         order by l.urn, r.finished_at desc, r.id)
       select b.* from comparison_benchmarks b
       join chosen c on c.urn = b.urn and c.run_id = b.run_id
       where b.tenant_id = $1 and ($5::text[] is null or b.measure = any($5))
         and ($6::int is null or b.period = $6)
       order by b.urn, b.measure, b.period`,
      [
        this.tenantId(),
        id === null ? null : runId(id),
        urns,
        this.schoolScope(),
        filter.measures?.length ? filter.measures : null,
        this.period(filter.period),
      ],
    );
  }

  /** The tenant's minimum group size, bands and cautions applied as the rows are served. */
  private honest(m: EntityManager, rows: BenchmarkRow[]) {
    return servedHonestly(m, this.tenantId(), rows, (reads) =>
      this.accessLog.record(m, 'School.benchmarks', reads),
    );
  }

  private toSimilarSchool(r: GroupRow): SimilarSchoolModel {
    return {
      runId: r.run_id,
      rank: r.rank,
      urn: r.neighbour_urn,
      name: r.name,
      laCode: r.la_code,
      source:
        r.neighbour_tenant_id === this.tenantId()
          ? SchoolSource.OWN
          : r.is_reference
            ? SchoolSource.REFERENCE
            : SchoolSource.PARTNERS,
      distance: r.distance,
      featureShares: r.features
        .flatMap((feature, j) => {
          const share = r.feature_shares[j];
          return share == null ? [] : [{ feature, label: LABELS.get(feature) ?? feature, share }];
        })
        .sort((a, b) => a.share - b.share),
    };
  }

  /** Partners' schools named in a group are a cross-tenant read: the owner's log records it. */
  private async logged(m: EntityManager, operation: string, rows: GroupRow[]): Promise<GroupRow[]> {
    await this.accessLog.record(
      m,
      operation,
      rows.map((r) => ({ tenantId: r.neighbour_tenant_id, urn: r.neighbour_urn })),
    );
    return rows;
  }

  /**
   * A read of one school in a given run as [run, URN] (for the statements of one school), 'none'
   * when a school role asks for another school (nothing to read), else null (the general form).
   */
  private oneSchoolOfRun(
    id: string | null,
    urns: readonly number[] | null,
  ): [string, number] | 'none' | null {
    const scope = this.schoolScope();
    const urn = urns === null ? scope : urns.length === 1 ? urns[0] : null;
    if (id === null || urn === null) return null;
    return scope !== null && urn !== scope ? 'none' : [runId(id), urn];
  }

  private tenantId(): string {
    return this.context.principal().tenantId;
  }

  /** The URN a school role is limited to; null for the authority's roles. */
  private schoolScope(): number | null {
    const principal = this.context.principal();
    return SCHOOL_ROLES.includes(principal.role) ? principal.schoolUrn : null;
  }

  private period(period: string | null | undefined): number | null {
    if (period == null) return null;
    if (!/^\d{6}$/.test(period))
      throw badInput(`Period "${period}" is not an EES period such as 201819`);
    periodYear(period);
    return Number(period);
  }
}

function toBenchmark(r: BenchmarkRow, honesty: BenchmarkHonesty): BenchmarkModel {
  const difference =
    r.disadvantaged_gap === null || r.group_disadvantaged_gap === null
      ? null
      : r.disadvantaged_gap - r.group_disadvantaged_gap;
  return {
    runId: r.run_id,
    urn: r.urn,
    measure: r.measure,
    period: String(r.period),
    value: r.value,
    suppression: r.suppression,
    groupN: r.group_n,
    median: r.median,
    lowerQuartile: r.q1,
    upperQuartile: r.q3,
    percentileRank: r.percentile_rank,
    rank: r.rank,
    rankOf: r.rank_of,
    gapToMedian: r.gap_to_median,
    trendSlope: r.trend_slope,
    trendPeriods: r.trend_periods.map(periodOfYear),
    disadvantagedGap: r.disadvantaged_gap,
    groupDisadvantagedGap: r.group_disadvantaged_gap,
    disadvantagedGapDifference: difference,
    expectedValue: r.expected_value,
    residual: r.residual,
    suppressedCount: r.suppressed_count,
    missingCount: r.missing_count,
    minGroupN: honesty.minGroupN,
    insufficientGroup: honesty.insufficientGroup,
    memberValues: honesty.memberValues,
    cohort: honesty.cohort,
    smallCohort: honesty.smallCohort,
    confidenceLower: honesty.confidenceLower,
    confidenceUpper: honesty.confidenceUpper,
    progressBand: honesty.progressBand as ProgressBandValue | null,
    versusGroupMedian: honesty.versusGroupMedian as SignificanceValue | null,
    trendFromTwoPeriods: honesty.trendFromTwoPeriods,
  };
}

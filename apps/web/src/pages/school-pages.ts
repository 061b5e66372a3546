import { Injectable } from '@nestjs/common';

import {
  ComparisonResultsService,
  ComparisonRunsService,
  type BenchmarkModel,
  type ComparisonRunModel,
  type RunStaleness,
  type SimilarSchoolModel,
} from '@schoolbench/comparisons';
import { median } from '@schoolbench/comparisons-core';
import { DatasetsService, type ObservationModel } from '@schoolbench/datasets';
import { BUILT_IN_LOCAL_AUTHORITIES } from '@schoolbench/la-register';
import { SchoolsService, type SchoolModel } from '@schoolbench/schools';

import { formatPeriod, formatSigned, formatValue } from '../charts/number-format';
import { boxPlot, shareBar, trendLine } from '../charts/svg-charts';
import {
  CONTEXT_MEASURES,
  HEADLINE_MEASURES,
  measureInfo,
  phaseOf,
  suppressionText,
  type MeasureInfo,
} from './measures';

/** SPEC §8: fewer members with a value than this gives no group statistics. */
export const MIN_GROUP_N = 5;

export interface CellView {
  text: string;
  suppressed: boolean;
}

export interface RunInfo {
  id: string;
  finishedAt: Date | null;
  datasetVersions: string[];
  period: string;
}

const laNames = new Map<string, string>(
  BUILT_IN_LOCAL_AUTHORITIES.map((la) => [String(la.code), la.name]),
);

export function authorityName(laCode: string | null): string {
  if (!laCode) return 'England (DfE published data)';
  return laNames.get(laCode) ?? laCode;
}

function runInfo(run: ComparisonRunModel): RunInfo {
  return {
    id: run.id,
    finishedAt: run.finishedAt,
    datasetVersions: run.datasetVersions,
    period: run.parameters.period,
  };
}

function cell(o: ObservationModel | undefined, info: MeasureInfo): CellView {
  if (!o) return { text: 'no value', suppressed: false };
  if (o.value === null) return { text: suppressionText(o.suppression), suppressed: true };
  return { text: formatValue(o.value, info.unit, info.decimals), suppressed: false };
}

/** The group's median, or a sentence saying why there is none. */
function groupMedian(values: readonly number[], info: MeasureInfo): CellView {
  if (values.length < MIN_GROUP_N) {
    return {
      text: `small group: ${values.length} of the similar schools have a value, fewer than ${MIN_GROUP_N}`,
      suppressed: true,
    };
  }
  return { text: formatValue(median(values), info.unit, info.decimals), suppressed: false };
}

/**
 * Gathers what the school pages show from the capability services, as the signed-in principal.
 * Only aggregates of the group's observations (medians over at least MIN_GROUP_N schools) reach
 * a page; the members' own values stay on the server.
 */
@Injectable()
export class SchoolPages {
  constructor(
    private readonly schools: SchoolsService,
    private readonly results: ComparisonResultsService,
    private readonly runs: ComparisonRunsService,
    private readonly datasets: DatasetsService,
  ) {}

  async school(urn: number): Promise<SchoolModel> {
    return this.schools.get(urn);
  }

  async group(urn: number): Promise<{
    members: SimilarSchoolModel[];
    run: RunInfo | null;
    stale: RunStaleness | null;
  }> {
    const members = (await this.results.similarSchoolsOf([urn], null)).get(urn) ?? [];
    const { run, stale } = await this.runOf(urn, members[0]?.runId);
    return { members, run, stale };
  }

  /**
   * The run the page's results came from, and why the school's latest run is not shown if it
   * is stale: one statement when the results are from the latest run (the usual case).
   */
  private async runOf(
    urn: number,
    shownRunId: string | undefined,
  ): Promise<{ run: RunInfo | null; stale: RunStaleness | null }> {
    const latest = await this.runs.latestOfSchool(urn);
    const stale = latest?.stale ?? null;
    if (!shownRunId) return { run: null, stale };
    const run =
      latest && latest.run.id === shownRunId ? latest.run : await this.runs.get(shownRunId);
    return { run: runInfo(run), stale };
  }

  async profile(urn: number) {
    const school = await this.school(urn);
    const { members, run, stale } = await this.group(urn);
    const phase = phaseOf(school.phase);
    const headline = phase ? HEADLINE_MEASURES[phase] : [];
    const urns = [urn, ...members.map((m) => m.urn)];
    const observations = await this.datasets.observationsOfSchools(urns, {
      measures: [...CONTEXT_MEASURES, ...headline],
      breakdowns: ['all'],
    });
    const own = observations.get(urn) ?? [];
    const memberObs = members.flatMap((m) => observations.get(m.urn) ?? []);
    const valuesOf = (measure: string, period: string) =>
      memberObs
        .filter((o) => o.measure === measure && o.timePeriod === period && o.value !== null)
        .map((o) => o.value!);

    const contextPeriod =
      run?.period ??
      own
        .filter((o) => (CONTEXT_MEASURES as readonly string[]).includes(o.measure))
        .map((o) => o.timePeriod)
        .sort()
        .at(-1) ??
      null;
    const context = CONTEXT_MEASURES.map((code) => {
      const info = measureInfo(code);
      const o = own.find((x) => x.measure === code && x.timePeriod === contextPeriod);
      return {
        info,
        school: cell(o, info),
        group: members.length
          ? groupMedian(valuesOf(code, contextPeriod ?? ''), info)
          : { text: 'no group yet', suppressed: true },
      };
    });

    const outcomePeriods = [
      ...new Set(own.filter((o) => headline.includes(o.measure)).map((o) => o.timePeriod)),
    ]
      .sort()
      .slice(-3);
    const outcomes = headline.map((code) => {
      const info = measureInfo(code);
      return {
        info,
        years: outcomePeriods.map((period) => ({
          period,
          school: cell(
            own.find((x) => x.measure === code && x.timePeriod === period),
            info,
          ),
          group: members.length
            ? groupMedian(valuesOf(code, period), info)
            : { text: 'no group yet', suppressed: true },
        })),
      };
    });
    return {
      school,
      phase,
      run,
      stale,
      groupSize: members.length,
      contextPeriod,
      context,
      outcomePeriods,
      outcomes,
      datasetVersions: [...new Set(own.map((o) => o.datasetId))],
    };
  }

  async similar(urn: number) {
    const school = await this.school(urn);
    const { members, run, stale } = await this.group(urn);
    return {
      school,
      run,
      stale,
      members: members.map((m) => {
        const ordered = [...m.featureShares].sort((a, b) => a.share - b.share);
        const closest = ordered.filter((f) => f.share < 0.2).map((f) => f.label);
        const furthest = ordered.at(-1);
        return {
          rank: m.rank,
          urn: m.urn,
          name: m.name ?? 'Name withheld by the sharing protocol',
          authority: authorityName(m.laCode),
          source: m.source,
          distance: m.distance.toFixed(3),
          why:
            (closest.length ? `Close on ${closest.join(', ')}. ` : '') +
            (furthest
              ? `Most of the difference is ${furthest.label} (${Math.round(furthest.share * 100)}% of the distance).`
              : ''),
          features: ordered.map((f) => ({
            label: f.label,
            percent: Math.round(f.share * 100),
            bar: shareBar(`share-${m.urn}-${f.feature}`, f.label, f.share),
          })),
        };
      }),
    };
  }

  async benchmarks(urn: number) {
    const school = await this.school(urn);
    const rows = (await this.results.benchmarksOf([urn], null, {})).get(urn) ?? [];
    const { run, stale } = await this.runOf(urn, rows[0]?.runId);
    const byMeasure = new Map<string, BenchmarkModel[]>();
    for (const r of rows) byMeasure.set(r.measure, [...(byMeasure.get(r.measure) ?? []), r]);
    const measures = [...byMeasure.entries()].map(([code, list]) => {
      const info = measureInfo(code);
      const sorted = [...list].sort((a, b) => a.period.localeCompare(b.period));
      const latest = sorted.at(-1)!;
      const fmt = (v: number | null) =>
        v === null ? '' : formatValue(v, info.unit, info.decimals);
      const small = latest.lowerQuartile === null || latest.median === null;
      const trendPeriods = sorted.slice(-3);
      return {
        info,
        period: latest.period,
        value:
          latest.value === null
            ? { text: suppressionText(latest.suppression), suppressed: true }
            : { text: fmt(latest.value), suppressed: false },
        groupN: latest.groupN,
        small,
        median: fmt(latest.median),
        lowerQuartile: fmt(latest.lowerQuartile),
        upperQuartile: fmt(latest.upperQuartile),
        percentileRank:
          latest.percentileRank === null ? '' : `${Math.round(latest.percentileRank)}`,
        rank: latest.rank === null ? '' : `${latest.rank} of ${latest.rankOf}`,
        gapToMedian: formatSigned(latest.gapToMedian, info.unit, info.decimals),
        trendSlope:
          latest.trendSlope === null
            ? ''
            : `${formatSigned(latest.trendSlope, info.unit, info.decimals)} a year`,
        disadvantagedGap: formatSigned(latest.disadvantagedGap, info.unit, info.decimals),
        groupDisadvantagedGap: formatSigned(latest.groupDisadvantagedGap, info.unit, info.decimals),
        expectedValue: fmt(latest.expectedValue),
        residual: formatSigned(latest.residual, info.unit, info.decimals),
        suppressedCount: latest.suppressedCount,
        missingCount: latest.missingCount,
        boxPlot: small
          ? null
          : boxPlot({
              id: `box-${code}`,
              measureLabel: info.label,
              unit: info.unit,
              decimals: info.decimals,
              lowerQuartile: latest.lowerQuartile!,
              median: latest.median!,
              upperQuartile: latest.upperQuartile!,
              value: latest.value,
              schoolName: school.name,
            }),
        trend: trendPeriods.map((r) => ({
          period: formatPeriod(r.period),
          value: r.value === null ? suppressionText(r.suppression) : fmt(r.value),
          median: r.median === null ? 'no median (small group)' : fmt(r.median),
        })),
        trendChart:
          trendPeriods.length > 1
            ? trendLine({
                id: `trend-${code}`,
                measureLabel: info.label,
                unit: info.unit,
                decimals: info.decimals,
                periods: trendPeriods.map((r) => r.period),
                school: trendPeriods.map((r) => r.value),
                groupMedian: trendPeriods.map((r) => r.median),
                schoolName: school.name,
              })
            : null,
      };
    });
    return { school, run, stale, measures, minGroupN: MIN_GROUP_N };
  }
}

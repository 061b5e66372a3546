import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import {
  ComparisonResultsService,
  ComparisonRunsService,
  ComparisonRunStatus,
  type ComparisonRunModel,
  type PopulationScope,
} from '@schoolbench/comparisons';
import { csvCell, neutraliseCell } from '@schoolbench/data-format-core';
import { DomainError, notFound } from '@schoolbench/graphql';
import { SchoolSource, SchoolsService } from '@schoolbench/schools';
import { Roles } from '@schoolbench/tenancy';

import { formatPeriod, formatValue } from '../charts/number-format';
import { errorList, inputErrors } from './form-errors';
import { HEADLINE_MEASURES, measureInfo, suppressionText } from './measures';
import { idParam } from './params';
import { staleView } from './stale-runs';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const FINISHED: readonly string[] = [
  ComparisonRunStatus.COMPLETED,
  ComparisonRunStatus.FAILED,
  ComparisonRunStatus.CANCELLED,
];
const ANALYSTS = ['la_admin', 'analyst'] as const;
const PAGE_SIZE = 25;
/** The largest register an all-schools run's results page names in one go. */
const NAMED_SCHOOLS = 1000;
const CONTEXT_PERIODS = ['201819', '201718', '201617'] as const;
const PHASES = ['primary', 'secondary'] as const;

export function statusText(status: string): string {
  return (
    {
      queued: 'Queued',
      running: 'Running',
      completed: 'Completed',
      failed: 'Failed',
      cancelled: 'Cancelled',
    }[status] ?? status
  );
}

function runView(run: ComparisonRunModel) {
  return {
    id: run.id,
    status: run.status,
    statusText: statusText(run.status),
    finished: FINISHED.includes(run.status),
    progress: run.progress,
    message: run.message ?? '',
    error: run.error ?? '',
    targetUrn: run.parameters.targetUrn,
    target: run.parameters.targetUrn
      ? `School ${run.parameters.targetUrn}`
      : `All ${run.parameters.phase} schools`,
    phase: run.parameters.phase,
    period: run.parameters.period,
    k: run.parameters.k,
    measures: run.parameters.outcomeMeasures,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    summary: run.summary,
    allSchools: run.parameters.allSchools,
  };
}

@Controller('comparisons')
export class ComparisonsController {
  constructor(
    private readonly runs: ComparisonRunsService,
    private readonly results: ComparisonResultsService,
    private readonly schools: SchoolsService,
  ) {}

  @Roles(...READERS)
  @Get()
  @Render('pages/comparisons.njk')
  async list(@Query('after') after?: string): Promise<Record<string, unknown>> {
    const page = await this.runs.list(PAGE_SIZE, after || undefined);
    return {
      pageTitle: 'Comparison runs',
      runs: page.nodes.map(runView),
      totalCount: page.totalCount,
      next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    };
  }

  /** Journey 4: an analyst compares every one of the authority's schools of a phase at once. */
  @Roles(...ANALYSTS)
  @Get('new')
  @Render('pages/comparison-new.njk')
  newForm(): Record<string, unknown> {
    return this.newView({
      phase: 'primary',
      period: CONTEXT_PERIODS[0],
      population: 'OWN_AND_REFERENCE',
    });
  }

  @Roles(...ANALYSTS)
  @Post('new')
  async request(
    @Body() body: { phase?: string; period?: string; population?: string },
    @Res() res: Response,
  ): Promise<void> {
    const values = {
      phase: String(body.phase ?? ''),
      period: String(body.period ?? ''),
      population: String(body.population ?? ''),
    };
    const fields: Record<string, string> = {};
    if (!(PHASES as readonly string[]).includes(values.phase)) {
      fields.phase = 'Choose the phase of the schools to compare';
    }
    if (!(CONTEXT_PERIODS as readonly string[]).includes(values.period)) {
      fields.period = 'Choose the year of the school context to compare on';
    }
    if (!['OWN', 'OWN_AND_REFERENCE'].includes(values.population)) {
      fields.population = 'Choose which schools to compare with';
    }
    if (!Object.keys(fields).length) {
      try {
        const run = await this.runs.request({
          target: { allSchools: true },
          phase: values.phase,
          period: values.period,
          outcomeMeasures: [...HEADLINE_MEASURES[values.phase]],
          population: values.population as PopulationScope,
        });
        res.redirect(303, `/comparisons/${run.id}`);
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['phase', 'period', 'population']));
      }
    }
    res.status(400).render('pages/comparison-new.njk', {
      ...this.newView(values),
      errors: errorList(fields),
      fieldErrors: fields,
    });
  }

  /**
   * Without JavaScript the page refreshes itself until the run finishes; with it, web.js polls.
   * A stale run is gone (410) with the protocol events that stopped it.
   */
  @Roles(...READERS)
  @Get(':id')
  async show(@Param('id') id: string, @Res() res: Response): Promise<void> {
    let model: ComparisonRunModel;
    try {
      model = await this.runs.get(idParam(id));
    } catch (error) {
      const stale =
        error instanceof DomainError && error.details?.stale === true
          ? await this.runs.staleness(idParam(id))
          : null;
      if (!stale) throw error;
      res.status(410).render('pages/comparison-stale.njk', {
        pageTitle: 'Comparison run: no longer shown',
        stale: staleView(stale),
      });
      return;
    }
    const run = runView(model);
    res.render('pages/comparison-run.njk', {
      pageTitle: `Comparison run: ${run.statusText}`,
      run,
      refreshSeconds: run.finished ? null : 3,
    });
  }

  /**
   * Journey 4: each school's value of a measure over the run's three years beside its group's
   * median, and whether it is in its group's lowest quarter in two of them (early warning).
   */
  @Roles(...ANALYSTS)
  @Get(':id/results')
  @Render('pages/comparison-results.njk')
  async resultsPage(
    @Param('id') id: string,
    @Query('measure') measure?: string,
  ): Promise<Record<string, unknown>> {
    const table = await this.resultsTable(idParam(id), measure);
    return {
      pageTitle: `Results by school – ${table.measure.label}`,
      ...table,
      measureItems: table.run.measures.map((m) => ({
        value: m,
        text: measureInfo(m).label,
        selected: m === table.measure.code,
      })),
    };
  }

  @Roles(...ANALYSTS)
  @Get(':id/results.csv')
  async resultsCsv(
    @Param('id') id: string,
    @Query('measure') measure: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const table = await this.resultsTable(idParam(id), measure);
    const line = (cells: (string | number)[]) =>
      cells.map((c) => csvCell(neutraliseCell(String(c)))).join(',');
    const lines = [
      line([
        'urn',
        'school',
        'measure',
        ...table.periods.flatMap((p) => [`value_${p.code}`, `group_median_${p.code}`]),
        'early_warning',
      ]),
      ...table.rows.map((r) =>
        line([
          r.urn,
          r.name,
          table.measure.code,
          ...r.years.flatMap((y) => [y.value, y.median]),
          r.flag,
        ]),
      ),
    ];
    res
      .type('text/csv')
      .attachment(`comparison-${table.run.id}-${table.measure.code}.csv`)
      .send(`${lines.join('\r\n')}\r\n`);
  }

  private async resultsTable(id: string, measureParam: string | undefined) {
    const model = await this.runs.get(id);
    const run = runView(model);
    if (model.status !== ComparisonRunStatus.COMPLETED) throw notFound('Page');
    const code = run.measures.includes(measureParam ?? '') ? measureParam! : run.measures[0];
    const measure = measureInfo(code);
    const benchmarks = await this.results.benchmarksOfRun(model, null, { measures: [code] });
    const periods = [...new Set(benchmarks.map((b) => b.period))].sort().slice(-3);
    const warned = new Map<number, string>();
    if (measure.polarity !== 'neutral') {
      const warnings = await this.results.earlyWarnings({
        measure: code,
        runId: run.id,
        floor: null,
        periods: 3,
        required: 2,
      });
      for (const w of warnings.filter((x) => x.inWorstQuartile)) {
        warned.set(
          w.urn,
          `Lowest quarter of its group in ${w.worstQuartilePeriods.length} of the last ${w.periodsConsidered.length} years (${w.worstQuartilePeriods.map(formatPeriod).join(', ')})`,
        );
      }
    }
    const names = new Map(
      (await this.schools.list({ source: SchoolSource.OWN }, NAMED_SCHOOLS)).nodes.map((s) => [
        s.urn,
        s.name,
      ]),
    );
    const fmt = (v: number | null) =>
      v === null ? '' : formatValue(v, measure.unit, measure.decimals);
    const urns = [...new Set(benchmarks.map((b) => b.urn))].sort((a, b) => a - b);
    const rows = urns.map((urn) => {
      const own = benchmarks.filter((b) => b.urn === urn);
      return {
        urn,
        name: names.get(urn) ?? `School ${urn}`,
        years: periods.map((p) => {
          const b = own.find((x) => x.period === p);
          return {
            value: !b
              ? 'no value'
              : b.value === null
                ? suppressionText(b.suppression)
                : fmt(b.value),
            median: !b
              ? ''
              : b.median === null
                ? `small group (${b.groupN} with a value)`
                : fmt(b.median),
          };
        }),
        flag: warned.get(urn) ?? '',
      };
    });
    return {
      run,
      measure,
      periods: periods.map((p) => ({ code: p, text: formatPeriod(p) })),
      rows,
      flagged: rows.filter((r) => r.flag).length,
    };
  }

  private newView(values: { phase: string; period: string; population: string }) {
    return {
      pageTitle: 'Compare all your schools',
      values,
      fieldErrors: {},
      phaseItems: PHASES.map((p) => ({
        value: p,
        text: p === 'primary' ? 'Primary (KS2)' : 'Secondary (KS4)',
        checked: p === values.phase,
      })),
      periods: CONTEXT_PERIODS.map((p) => ({
        value: p,
        text: formatPeriod(p),
        selected: p === values.period,
      })),
    };
  }

  @Roles(...READERS)
  @Get(':id/status')
  async status(@Param('id') id: string): Promise<Record<string, unknown>> {
    const run = runView(await this.runs.get(idParam(id)));
    return {
      status: run.status,
      statusText: run.statusText,
      progress: run.progress,
      message: run.message,
      finished: run.finished,
    };
  }
}

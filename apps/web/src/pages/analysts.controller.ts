import { Controller, Get, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import { csvCell, neutraliseCell } from '@schoolbench/data-format-core';
import { DomainError } from '@schoolbench/graphql';
import { SchoolSource, SchoolsService } from '@schoolbench/schools';
import { Roles } from '@schoolbench/tenancy';

import { formatPeriod, formatValue } from '../charts/number-format';
import { HEADLINE_MEASURES, measureInfo } from './measures';
import { authorityName } from './school-pages';

const ANALYSTS = ['la_admin', 'analyst'] as const;
const PAGE_SIZE = 20;
const SOURCES: Record<string, string> = {
  OWN: "Your authority's schools",
  PARTNERS: "Partners' schools shared with you",
  REFERENCE: "England's schools (DfE published data)",
};
const PHASES = ['', 'Primary', 'Secondary', 'Special', 'All-through', 'Middle deemed primary'];
const WARNING_MEASURES = [...HEADLINE_MEASURES.primary, ...HEADLINE_MEASURES.secondary];

/** An analyst's pages: every visible school, and the schools causing concern. */
@Controller()
export class AnalystsController {
  constructor(
    private readonly schools: SchoolsService,
    private readonly results: ComparisonResultsService,
  ) {}

  @Roles(...ANALYSTS)
  @Get('schools')
  @Render('pages/schools.njk')
  async list(
    @Query()
    query: {
      source?: string;
      phase?: string;
      laCode?: string;
      search?: string;
      after?: string;
    },
  ): Promise<Record<string, unknown>> {
    const source = (query.source && query.source in SOURCES ? query.source : 'OWN') as SchoolSource;
    const filter = {
      source,
      phase: PHASES.includes(query.phase ?? '') && query.phase ? query.phase : undefined,
      laCode: /^\d{3}$/.test(query.laCode ?? '') ? query.laCode : undefined,
      search: query.search?.trim().slice(0, 100) || undefined,
    };
    const page = await this.schools.list(filter, PAGE_SIZE, query.after || undefined);
    const keep = Object.fromEntries(
      Object.entries({
        source,
        phase: filter.phase,
        laCode: filter.laCode,
        search: filter.search,
      }).filter((e): e is [string, string] => !!e[1]),
    );
    const urns = page.nodes.map((s) => s.urn).join(',');
    const exportSource = source === SchoolSource.REFERENCE ? 'REFERENCE' : 'OWN';
    return {
      pageTitle: 'Schools',
      schools: page.nodes.map((s) => ({ ...s, authority: authorityName(s.laCode) })),
      totalCount: page.totalCount,
      values: { ...query, source },
      sourceItems: Object.entries(SOURCES).map(([value, text]) => ({
        value,
        text,
        checked: value === String(source),
      })),
      phaseItems: PHASES.map((p) => ({
        value: p,
        text: p || 'Any phase',
        selected: p === (filter.phase ?? ''),
      })),
      nextHref: page.pageInfo.hasNextPage
        ? `/schools?${new URLSearchParams({ ...keep, after: page.pageInfo.endCursor ?? '' }).toString()}`
        : null,
      // Partners' rows are read through their own path; the EES export covers own and England's.
      eesHref:
        urns && source !== SchoolSource.PARTNERS
          ? `/api/exports/observations?source=${exportSource}&urns=${urns}`
          : null,
      eesMetaHref:
        urns && source !== SchoolSource.PARTNERS
          ? `/api/exports/observations?source=${exportSource}&urns=${urns}&part=meta`
          : null,
    };
  }

  @Roles(...ANALYSTS)
  @Get('early-warnings')
  @Render('pages/early-warnings.njk')
  async earlyWarnings(@Query('measure') measureParam?: string): Promise<Record<string, unknown>> {
    const measure = WARNING_MEASURES.includes(measureParam ?? '')
      ? measureParam!
      : WARNING_MEASURES[0];
    const { rows, none } = await this.warnings(measure);
    return {
      pageTitle: 'Early warnings',
      measure: measureInfo(measure),
      measureItems: WARNING_MEASURES.map((m) => ({
        value: m,
        text: measureInfo(m).label,
        selected: m === measure,
      })),
      rows,
      none,
    };
  }

  @Roles(...ANALYSTS)
  @Get('early-warnings.csv')
  async earlyWarningsCsv(
    @Query('measure') measureParam: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const measure = WARNING_MEASURES.includes(measureParam ?? '')
      ? measureParam!
      : WARNING_MEASURES[0];
    const { rows } = await this.warnings(measure);
    const line = (cells: (string | number)[]) =>
      cells.map((c) => csvCell(neutraliseCell(String(c)))).join(',');
    const lines = [
      line(['urn', 'school', 'measure', 'latest_value', 'reason']),
      ...rows.map((r) => line([r.urn, r.name, measure, r.latest, r.reason])),
    ];
    res
      .type('text/csv')
      .attachment(`early-warnings-${measure}.csv`)
      .send(`${lines.join('\r\n')}\r\n`);
  }

  private async warnings(measure: string) {
    const info = measureInfo(measure);
    try {
      const found = await this.results.earlyWarnings({
        measure,
        runId: null,
        floor: null,
        periods: 3,
        required: 2,
      });
      const rows = found
        .filter((w) => w.inWorstQuartile)
        .map((w) => ({
          urn: w.urn,
          name: w.name ?? `School ${w.urn}`,
          latest:
            w.latestValue === null ? '' : formatValue(w.latestValue, info.unit, info.decimals),
          reason: `In the lowest quarter of its similar-school group in ${w.worstQuartilePeriods.length} of the last ${w.periodsConsidered.length} years (${w.worstQuartilePeriods.map(formatPeriod).join(', ')})`,
        }));
      return { rows, none: null };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') {
        return { rows: [], none: 'No completed comparison has benchmarked this measure yet.' };
      }
      throw error;
    }
  }
}

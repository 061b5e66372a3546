import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import {
  ComparisonRunsService,
  type PopulationScope,
  type RunStaleness,
} from '@schoolbench/comparisons';
import { Roles, TenantContext } from '@schoolbench/tenancy';

import { formatDate } from '../views/view-filters';
import { errorList, inputErrors } from './form-errors';
import { HEADLINE_MEASURES, phaseOf } from './measures';
import { urnParam } from './params';
import { authorityName, SchoolPages, type RunInfo } from './school-pages';
import { staleView } from './stale-runs';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const REQUESTERS = ['la_admin', 'analyst', 'headteacher'] as const;

/** Context periods a comparison can be asked for (the census years the product imports). */
export const COMPARISON_PERIODS = ['201819', '201718', '201617'] as const;

function dataVersions(run: RunInfo | null, extra: readonly string[] = []): string {
  const parts: string[] = [];
  if (run) {
    parts.push(
      `comparison run ${run.id}${run.finishedAt ? ` of ${formatDate(run.finishedAt, true)}` : ''}`,
    );
    if (run.datasetVersions.length)
      parts.push(`dataset versions ${run.datasetVersions.join(', ')}`);
  } else if (extra.length) {
    parts.push(`dataset versions ${extra.join(', ')}`);
  }
  return parts.join('; ');
}

@Controller('schools')
export class SchoolsController {
  constructor(
    private readonly pages: SchoolPages,
    private readonly runs: ComparisonRunsService,
    private readonly context: TenantContext,
  ) {}

  @Roles(...READERS)
  @Get(':urn')
  @Render('pages/school-profile.njk')
  async profile(@Param('urn') urn: string): Promise<Record<string, unknown>> {
    const page = await this.pages.profile(urnParam(urn));
    return {
      ...page,
      ...this.staleness(page.school.urn, page.stale),
      pageTitle: page.school.name,
      authority: authorityName(page.school.laCode),
      canRequest: this.canRequest(),
      dataVersions: dataVersions(page.run, page.datasetVersions),
    };
  }

  @Roles(...READERS)
  @Get(':urn/similar')
  @Render('pages/school-similar.njk')
  async similar(@Param('urn') urn: string): Promise<Record<string, unknown>> {
    const page = await this.pages.similar(urnParam(urn));
    return {
      ...page,
      ...this.staleness(page.school.urn, page.stale),
      pageTitle: `Similar schools – ${page.school.name}`,
      canRequest: this.canRequest(),
      dataVersions: dataVersions(page.run),
    };
  }

  @Roles(...READERS)
  @Get(':urn/benchmarks')
  @Render('pages/school-benchmarks.njk')
  async benchmarks(@Param('urn') urn: string): Promise<Record<string, unknown>> {
    const page = await this.pages.benchmarks(urnParam(urn));
    return {
      ...page,
      ...this.staleness(page.school.urn, page.stale),
      pageTitle: `Benchmarks – ${page.school.name}`,
      canRequest: this.canRequest(),
      dataVersions: dataVersions(page.run),
    };
  }

  @Roles(...REQUESTERS)
  @Get(':urn/compare')
  @Render('pages/school-compare.njk')
  async compareForm(@Param('urn') urn: string): Promise<Record<string, unknown>> {
    const school = await this.pages.school(urnParam(urn));
    return this.compareView(school, {
      period: COMPARISON_PERIODS[0],
      population: 'OWN_AND_REFERENCE',
    });
  }

  @Roles(...REQUESTERS)
  @Post(':urn/compare')
  async compare(
    @Param('urn') urnText: string,
    @Body() body: { period?: string; population?: string },
    @Res() res: Response,
  ): Promise<void> {
    const school = await this.pages.school(urnParam(urnText));
    const phase = phaseOf(school.phase);
    const values = { period: String(body.period ?? ''), population: String(body.population ?? '') };
    const fields: Record<string, string> = {};
    if (!phase)
      fields.period = `Comparisons are for primary and secondary schools; this school's phase is ${school.phase ?? 'not recorded'}`;
    if (!(COMPARISON_PERIODS as readonly string[]).includes(values.period)) {
      fields.period = 'Choose the year of the school context to compare on';
    }
    if (!['OWN', 'OWN_AND_REFERENCE'].includes(values.population)) {
      fields.population = 'Choose which schools to compare with';
    }
    if (!Object.keys(fields).length) {
      try {
        const run = await this.runs.request({
          target: { urn: school.urn },
          phase: phase!,
          period: values.period,
          outcomeMeasures: [...HEADLINE_MEASURES[phase!]],
          population: values.population as PopulationScope,
        });
        res.redirect(303, `/comparisons/${run.id}`);
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['period', 'population']));
      }
    }
    res.status(400).render('pages/school-compare.njk', {
      ...this.compareView(school, values),
      errors: errorList(fields),
      fieldErrors: fields,
    });
  }

  private compareView(
    school: { urn: number; name: string },
    values: { period: string; population: string },
  ): Record<string, unknown> {
    return {
      pageTitle: `Request a comparison – ${school.name}`,
      school,
      values,
      fieldErrors: {},
      periods: COMPARISON_PERIODS.map((p) => ({
        value: p,
        text: `${p.slice(0, 4)}/${p.slice(4)}`,
        selected: p === values.period,
      })),
    };
  }

  /** Journey 5: the school's latest comparison, if it is no longer served, and why. */
  private staleness(urn: number, stale: RunStaleness | null): Record<string, unknown> {
    return stale
      ? {
          stale: staleView(stale),
          staleRequestHref: this.canRequest() ? `/schools/${urn}/compare` : null,
        }
      : {};
  }

  private canRequest(): boolean {
    return (REQUESTERS as readonly string[]).includes(this.context.principal().role);
  }
}

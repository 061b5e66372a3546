import { Controller, Get, Param, Query, Render } from '@nestjs/common';

import {
  ComparisonRunsService,
  ComparisonRunStatus,
  type ComparisonRunModel,
} from '@schoolbench/comparisons';
import { Roles } from '@schoolbench/tenancy';

import { idParam } from './params';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const FINISHED: readonly string[] = [
  ComparisonRunStatus.COMPLETED,
  ComparisonRunStatus.FAILED,
  ComparisonRunStatus.CANCELLED,
];
const PAGE_SIZE = 25;

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
  };
}

@Controller('comparisons')
export class ComparisonsController {
  constructor(private readonly runs: ComparisonRunsService) {}

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

  /** Without JavaScript the page refreshes itself until the run finishes; with it, web.js polls. */
  @Roles(...READERS)
  @Get(':id')
  @Render('pages/comparison-run.njk')
  async show(@Param('id') id: string): Promise<Record<string, unknown>> {
    const run = runView(await this.runs.get(idParam(id)));
    return {
      pageTitle: `Comparison run: ${run.statusText}`,
      run,
      refreshSeconds: run.finished ? null : 3,
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

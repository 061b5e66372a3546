import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  Body,
  Controller,
  Get,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';

import { neutraliseCell, toEesCsv, type Observation } from '@schoolbench/data-format-core';
import { badInput } from '@schoolbench/graphql';
import { Roles, TenantContext } from '@schoolbench/tenancy';

import { DatasetUploads } from './dataset-uploads.service';
import { DatasetsService } from './datasets.service';
import { ObservationSource } from './models/dataset.model';

interface UploadedFile {
  originalname: string;
  path: string;
  size: number;
}

// Storage and the size limit come from MulterModule (datasets.module.ts), configured at boot.
const uploads = FileFieldsInterceptor([
  { name: 'file', maxCount: 1 },
  { name: 'meta', maxCount: 1 },
]);

const REPORT_COLUMNS = [
  'file',
  'line',
  'column',
  'value',
  'rule',
  'severity',
  'message',
  'fix',
] as const;

function csvLine(cells: (string | number | null)[]): string {
  return cells
    .map((c) => {
      const text = neutraliseCell(c === null ? '' : String(c));
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}

/** REST where GraphQL fits badly: file upload, and CSV downloads. */
@Controller('api')
export class DatasetsController {
  constructor(
    private readonly uploads: DatasetUploads,
    private readonly datasets: DatasetsService,
    private readonly context: TenantContext,
  ) {}

  /**
   * `multipart/form-data`: `file` (required), `meta` (EES .meta.csv), `profileId`. Files above
   * `IMPORT_IN_BACKGROUND_ABOVE_BYTES` are imported by a worker: 202 with the `queued` dataset.
   * `?dryRun=true` validates instead: the whole pipeline runs and nothing is written; 200 with
   * `{ dryRun, valid, report, counts }` when an import would publish, 422 when it would fail.
   */
  @Roles('la_admin')
  @Post('datasets')
  @UseInterceptors(uploads)
  async upload(
    @UploadedFiles() files: { file?: UploadedFile[]; meta?: UploadedFile[] } | undefined,
    @Body('profileId') profileId: string | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const file = files?.file?.[0];
    const meta = files?.meta?.[0];
    try {
      if (!file)
        throw badInput('Send the data file in the multipart field "file"', { field: 'file' });
      if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false')
        throw badInput('dryRun must be true or false', { field: 'dryRun', value: dryRun });
      const principal = this.context.principal();
      if (dryRun === 'true') {
        const validation = await this.uploads.validate(principal.tenantId, {
          file: { name: file.originalname, open: () => createReadStream(file.path) },
          meta: meta
            ? { name: meta.originalname, open: () => createReadStream(meta.path) }
            : undefined,
          profileId: profileId || undefined,
          sizeBytes: file.size + (meta?.size ?? 0),
        });
        res
          .status(validation.valid ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_ENTITY)
          .json({ dryRun: true, ...validation });
        return;
      }
      const outcome = await this.uploads.accept(principal.tenantId, principal.userId, {
        file: { name: file.originalname, open: () => createReadStream(file.path) },
        meta: meta
          ? { name: meta.originalname, open: () => createReadStream(meta.path) }
          : undefined,
        profileId: profileId || undefined,
        sizeBytes: file.size + (meta?.size ?? 0),
      });
      const dataset = await this.datasets.get(outcome.datasetId);
      const status =
        outcome.status === 'failed'
          ? HttpStatus.UNPROCESSABLE_ENTITY
          : outcome.status === 'queued' || outcome.status === 'importing'
            ? HttpStatus.ACCEPTED
            : outcome.unchanged
              ? HttpStatus.OK
              : HttpStatus.CREATED;
      res.status(status).json({
        datasetId: outcome.datasetId,
        status: outcome.status,
        unchanged: outcome.unchanged,
        dataset,
      });
    } finally {
      await Promise.all([file, meta].filter(Boolean).map((f) => rm(f!.path, { force: true })));
    }
  }

  /** The validation report as CSV, for a spreadsheet. */
  @Roles('la_admin', 'analyst')
  @Get('datasets/:id/report.csv')
  async report(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const dataset = await this.datasets.get(id);
    const lines = [
      REPORT_COLUMNS.join(','),
      ...dataset.problems.map((p) => csvLine(REPORT_COLUMNS.map((c) => p[c]))),
    ];
    res
      .type('text/csv')
      .attachment(`${dataset.fileName}.report.csv`)
      .send(`${lines.join('\r\n')}\r\n`);
  }

  /**
   * Any observation query as EES open-data CSV (`part=data`, the default) or its `.meta.csv`
   * (`part=meta`). Cells that a spreadsheet would run as formulas are neutralised.
   */
  @Roles('la_admin', 'analyst')
  @Get('exports/observations')
  async export(
    @Query() query: Record<string, string | undefined>,
    @Res() res: Response,
  ): Promise<void> {
    const list = (v: string | undefined) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const observations: Observation[] = [];
    let after: string | undefined;
    do {
      const page = await this.datasets.observations(
        {
          urns: list(query.urns)?.map(Number),
          measures: list(query.measures),
          periods: list(query.periods),
          breakdowns: list(query.breakdowns),
          source:
            query.source === 'REFERENCE' ? ObservationSource.REFERENCE : ObservationSource.OWN,
        },
        1000,
        after,
      );
      for (const o of page.nodes) {
        observations.push({
          urn: String(o.urn),
          measure: o.measure,
          period: {
            timePeriod: o.timePeriod,
            timeIdentifier: o.timeIdentifier as Observation['period']['timeIdentifier'],
          },
          breakdown: o.breakdown,
          sourceColumn: o.measure,
          ...(o.suppression
            ? {
                value: null,
                suppression: o.suppression as 'c',
                sourceCode: o.sourceCode ?? undefined,
              }
            : { value: o.value!, suppression: null }),
        });
      }
      after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
    } while (after);
    // `codes=source` gives suppressed cells back as the file published them (SUPP, NE, …).
    const ees = toEesCsv(observations, { symbols: query.codes === 'source' ? 'source' : 'ees' });
    const meta = query.part === 'meta';
    res
      .type('text/csv')
      .attachment(meta ? 'observations.meta.csv' : 'observations.csv')
      .send(meta ? ees.metaCsv : ees.dataCsv);
  }
}

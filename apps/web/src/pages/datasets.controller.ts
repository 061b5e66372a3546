import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Render,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';

import type { Problem } from '@schoolbench/data-format-core';
import { DatasetsService, DatasetUploads, MappingProfilesService } from '@schoolbench/datasets';
import { Roles, TenantContext } from '@schoolbench/tenancy';

import { errorList, inputErrors } from './form-errors';
import { idParam } from './params';

interface UploadedFile {
  originalname: string;
  path: string;
  size: number;
}

const ANALYSTS = ['la_admin', 'analyst'] as const;
const PAGE_SIZE = 25;
// A report page lists this many problems of a rule; the CSV has them all.
const PROBLEMS_PER_RULE = 50;

@Controller('datasets')
export class DatasetsPagesController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly uploads: DatasetUploads,
    private readonly profiles: MappingProfilesService,
    private readonly context: TenantContext,
  ) {}

  @Roles(...ANALYSTS)
  @Get()
  @Render('pages/datasets.njk')
  async list(@Query('after') after?: string): Promise<Record<string, unknown>> {
    const page = await this.datasets.list(PAGE_SIZE, after || undefined);
    return {
      pageTitle: 'Datasets',
      datasets: page.nodes,
      totalCount: page.totalCount,
      next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
      canUpload: this.context.principal().role === 'la_admin',
    };
  }

  @Roles('la_admin')
  @Get('upload')
  @Render('pages/dataset-upload.njk')
  async uploadForm(): Promise<Record<string, unknown>> {
    return this.uploadView({});
  }

  /** The multipart form's CSRF token is in its action URL (checked before the body is read). */
  @Roles('la_admin')
  @Post('upload')
  @UseInterceptors(
    FileFieldsInterceptor([
      { name: 'file', maxCount: 1 },
      { name: 'meta', maxCount: 1 },
    ]),
  )
  async upload(
    @UploadedFiles() files: { file?: UploadedFile[]; meta?: UploadedFile[] } | undefined,
    @Body('profileId') profileId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const file = files?.file?.[0];
    const meta = files?.meta?.[0];
    try {
      let fields: Record<string, string> = {};
      if (!file || file.size === 0) fields.file = 'Choose the data file to upload';
      if (!Object.keys(fields).length) {
        try {
          const principal = this.context.principal();
          const outcome = await this.uploads.accept(principal.tenantId, principal.userId, {
            file: { name: file!.originalname, open: () => createReadStream(file!.path) },
            meta: meta
              ? { name: meta.originalname, open: () => createReadStream(meta.path) }
              : undefined,
            profileId: profileId || undefined,
            sizeBytes: file!.size + (meta?.size ?? 0),
          });
          res.redirect(
            303,
            `/datasets/${outcome.datasetId}${outcome.unchanged ? '?unchanged=1' : ''}`,
          );
          return;
        } catch (error) {
          fields = inputErrors(error, ['file', 'meta', 'profileId']);
        }
      }
      res.status(400).render('pages/dataset-upload.njk', {
        ...(await this.uploadView(fields)),
        errors: errorList(fields),
      });
    } finally {
      await Promise.all([file, meta].filter(Boolean).map((f) => rm(f!.path, { force: true })));
    }
  }

  /** One dataset version: its validation report, problems grouped by rule. */
  @Roles(...ANALYSTS)
  @Get(':id')
  @Render('pages/dataset.njk')
  async show(
    @Param('id') id: string,
    @Query('unchanged') unchanged?: string,
  ): Promise<Record<string, unknown>> {
    const dataset = await this.datasets.get(idParam(id));
    const byRule = new Map<string, Problem[]>();
    for (const p of dataset.problems as Problem[]) {
      byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
    }
    const groups = dataset.problemCounts.map((c) => {
      const problems = byRule.get(c.rule) ?? [];
      return {
        rule: c.rule,
        severity: c.severity,
        count: c.count,
        message: problems[0]?.message ?? '',
        fix: problems[0]?.fix ?? '',
        problems: problems.slice(0, PROBLEMS_PER_RULE),
        more: Math.max(0, c.count - Math.min(problems.length, PROBLEMS_PER_RULE)),
      };
    });
    const errorGroups = groups.filter((g) => g.severity === 'error');
    return {
      pageTitle: `Validation report: ${dataset.fileName}`,
      dataset,
      unchanged: unchanged === '1',
      groups,
      // The error summary links to each rule's group of problems.
      errors: errorGroups.map((g) => ({
        text: `${g.message || g.rule} (${g.count} ${g.count === 1 ? 'problem' : 'problems'})`,
        href: `#rule-${g.rule}`,
      })),
      refreshSeconds: ['queued', 'importing'].includes(dataset.status) ? 3 : null,
    };
  }

  private async uploadView(fields: Record<string, string>): Promise<Record<string, unknown>> {
    const profiles = await this.profiles.list();
    return {
      pageTitle: 'Upload a dataset',
      fieldErrors: fields,
      profileItems: [
        { value: '', text: 'None: detect the format from the file' },
        ...profiles.map((p) => ({ value: p.id, text: p.name })),
      ],
    };
  }
}

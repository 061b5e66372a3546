import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { Roles } from '@schoolbench/tenancy';
import { TenantExports, type TenantExportRecord } from '@schoolbench/tenants';

import { idParam } from './params';

const STATUS_TEXT: Record<TenantExportRecord['status'], string> = {
  queued: 'Waiting for a worker',
  building: 'Being built',
  ready: 'Ready to download',
  failed: 'Failed',
  expired: 'Expired',
};

function view(e: TenantExportRecord) {
  return {
    ...e,
    statusText: STATUS_TEXT[e.status],
    finished: e.status !== 'queued' && e.status !== 'building',
  };
}

/**
 * "Export your data" (ADR 0081): an LA admin asks for an archive of everything its authority owns,
 * follows it (the page refreshes itself, no JavaScript needed) and downloads it.
 */
@Controller()
export class TenantExportPagesController {
  constructor(private readonly exports: TenantExports) {}

  @Roles('la_admin')
  @Get('export')
  @Render('pages/tenant-exports.njk')
  async list(): Promise<Record<string, unknown>> {
    return {
      pageTitle: 'Export your data',
      exports: (await this.exports.list()).map(view),
      expiryHours: this.exports.expiryHours(),
    };
  }

  @Roles('la_admin')
  @Post('export')
  async request(@Res() res: Response): Promise<void> {
    const requested = await this.exports.request('web');
    res.redirect(303, `/export/${requested.id}`);
  }

  @Roles('la_admin')
  @Get('export/:id')
  @Render('pages/tenant-export.njk')
  async status(@Param('id') id: string): Promise<Record<string, unknown>> {
    const found = view(await this.exports.get(idParam(id)));
    return {
      pageTitle: 'Your data export',
      export: found,
      files: found.manifest?.files ?? [],
      refreshSeconds: found.finished ? null : 3,
    };
  }

  @Roles('la_admin')
  @Get('export/:id/download')
  async download(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const download = await this.exports.download(idParam(id), 'web');
    res
      .status(200)
      .type('application/gzip')
      .attachment(download.fileName)
      .setHeader('Content-Length', String(download.sizeBytes));
    await pipeline(Readable.from(download.chunks), res);
  }
}

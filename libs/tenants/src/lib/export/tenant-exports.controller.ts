import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';

import { Roles } from '@schoolbench/tenancy';

import { TenantExports } from './tenant-exports.service';

/** The archive download: REST, since GraphQL does not carry files. */
@Controller('api')
export class TenantExportsController {
  constructor(private readonly exports: TenantExports) {}

  /** LA admins of the exporting authority only; anyone else's id is 404 (row-level security). */
  @Roles('la_admin')
  @Get('tenant-exports/:id/archive')
  async archive(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const download = await this.exports.download(id, 'api');
    res
      .status(200)
      .type('application/gzip')
      .attachment(download.fileName)
      .setHeader('Content-Length', String(download.sizeBytes));
    res.setHeader('X-Content-SHA256', download.sha256);
    await pipeline(Readable.from(download.chunks), res);
  }
}

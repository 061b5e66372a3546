import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { csvCell, neutraliseCell } from '@schoolbench/data-format-core';
import { badInput } from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { AccessLog } from './access-log.service';

const COLUMNS = [
  'at',
  'reader_la_code',
  'reader_name',
  'reader_user_id',
  'protocol_id',
  'protocol_version',
  'operation',
  'urns',
  'measures',
  'row_count',
] as const;

function line(cells: (string | number | null)[]): string {
  return cells.map((c) => csvCell(neutraliseCell(c === null ? '' : String(c)))).join(',');
}

function optionalDate(text: string | undefined, field: string): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw badInput(`"${text}" is not a date`, { field });
  return date;
}

/** The access log as CSV, for the owner's information governance officer. */
@Controller('api')
export class AccessLogController {
  constructor(private readonly accessLog: AccessLog) {}

  @Roles('la_admin')
  @Get('access-log.csv')
  async export(
    @Res() res: Response,
    @Query('protocolId') protocolId?: string,
    @Query('since') since?: string,
    @Query('until') until?: string,
  ): Promise<void> {
    if (protocolId !== undefined && !/^[0-9a-f-]{36}$/i.test(protocolId)) {
      throw badInput(`"${protocolId}" is not a protocol id`, { field: 'protocolId' });
    }
    const entries = await this.accessLog.all({
      protocolId,
      since: optionalDate(since, 'since'),
      until: optionalDate(until, 'until'),
    });
    const lines = [
      COLUMNS.join(','),
      ...entries.map((e) =>
        line([
          e.at.toISOString(),
          e.readerLaCode,
          e.readerName,
          e.readerUserId,
          e.protocolId,
          e.protocolVersion,
          e.operation,
          e.urns.join(' '),
          e.measures.join(' '),
          e.rowCount,
        ]),
      ),
    ];
    res
      .type('text/csv')
      .attachment('access-log.csv')
      .send(`${lines.join('\r\n')}\r\n`);
  }
}

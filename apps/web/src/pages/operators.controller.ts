import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, Post, Render, Res } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Response } from 'express';

import { QUEUES } from '@schoolbench/queue';
import { Roles, TenantTransactions } from '@schoolbench/tenancy';
import { TenantsService } from '@schoolbench/tenants';

import { errorList, inputErrors } from './form-errors';

/** A platform operator's pages: tenants, onboarding a partner authority, platform health. */
@Controller()
export class OperatorsController {
  private readonly queues: Queue[];

  constructor(
    private readonly tenants: TenantsService,
    private readonly tx: TenantTransactions,
    @InjectQueue(QUEUES.comparisons) comparisons: Queue,
    @InjectQueue(QUEUES.datasetImports) imports: Queue,
    @InjectQueue(QUEUES.sharing) sharing: Queue,
    @InjectQueue(QUEUES.housekeeping) housekeeping: Queue,
  ) {
    this.queues = [comparisons, imports, sharing, housekeeping];
  }

  @Roles('operator')
  @Get('tenants')
  @Render('pages/tenants.njk')
  async list(): Promise<Record<string, unknown>> {
    return this.tenantsView({}, {});
  }

  /** SPEC journey 1: a partner authority joins; its first LA admin gets an invitation. */
  @Roles('operator')
  @Post('tenants')
  async onboard(
    @Body() body: { laCode?: string; name?: string; adminEmail?: string },
    @Res() res: Response,
  ): Promise<void> {
    const values = {
      laCode: String(body.laCode ?? '').trim(),
      name: String(body.name ?? '').trim(),
      adminEmail: String(body.adminEmail ?? '').trim(),
    };
    const fields: Record<string, string> = {};
    if (!/^\d{3}$/.test(values.laCode))
      fields.laCode = 'Enter the DfE LA code: three digits, like 936';
    if (!values.name) fields.name = 'Enter the authority’s name';
    if (!values.adminEmail.includes('@'))
      fields.adminEmail = 'Enter the first LA admin’s email address';
    if (!Object.keys(fields).length) {
      try {
        const onboarded = await this.tenants.onboard(values);
        res.render('pages/tenants.njk', {
          ...(await this.tenantsView({}, {})),
          onboarded: {
            name: onboarded.tenant.name,
            email: onboarded.adminInvitation.user.email,
            token: onboarded.adminInvitation.invitationToken,
          },
        });
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['laCode', 'name', 'adminEmail']));
      }
    }
    res.status(400).render('pages/tenants.njk', await this.tenantsView(values, fields));
  }

  @Roles('operator')
  @Get('platform-health')
  @Render('pages/platform-health.njk')
  async health(): Promise<Record<string, unknown>> {
    const started = process.hrtime.bigint();
    let database = 'reachable';
    try {
      await this.tx.runOutsideTenant((m) => m.query('select 1'));
      database = `reachable (${Number(process.hrtime.bigint() - started) / 1e6 < 1 ? 'under 1' : Math.round(Number(process.hrtime.bigint() - started) / 1e6)} ms)`;
    } catch {
      database = 'NOT reachable';
    }
    const queues = await Promise.all(
      this.queues.map(async (q) => {
        try {
          const counts = await q.getJobCounts(
            'waiting',
            'active',
            'delayed',
            'failed',
            'completed',
          );
          return { name: q.name, ok: true, ...counts };
        } catch {
          return { name: q.name, ok: false };
        }
      }),
    );
    const tenants = await this.tenants.list();
    return {
      pageTitle: 'Platform health',
      database,
      redis: queues.every((q) => q.ok) ? 'reachable' : 'NOT reachable',
      queues,
      tenantCount: tenants.filter((t) => t.kind === 'authority').length,
      uptime: Math.round(process.uptime()),
    };
  }

  private async tenantsView(values: Record<string, string>, fields: Record<string, string>) {
    return {
      pageTitle: 'Tenants',
      tenants: await this.tenants.list(),
      values,
      fieldErrors: fields,
      errors: errorList(fields),
    };
  }
}

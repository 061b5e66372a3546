import { Controller, Get, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ROLES, Roles, TenantContext } from '@schoolbench/tenancy';

import type { WebSession } from '../session/web-sessions';
import { SchoolPages } from './school-pages';

@Controller()
export class HomeController {
  constructor(
    private readonly context: TenantContext,
    private readonly schools: SchoolPages,
  ) {}

  @Roles(...ROLES)
  @Get()
  @Render('pages/home.njk')
  async home(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const principal = this.context.principal();
    const user = res.locals.user as WebSession;
    const school =
      principal.schoolUrn !== null ? await this.schools.school(principal.schoolUrn) : null;
    return { pageTitle: 'Home', role: principal.role, school, tenantName: user.tenantName };
  }

  @Roles('headteacher', 'governor')
  @Get('my-school')
  mySchool(@Res() res: Response): void {
    res.redirect(303, `/schools/${this.context.principal().schoolUrn}`);
  }
}

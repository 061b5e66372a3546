import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { notFound } from '@schoolbench/graphql';
import { UsersService } from '@schoolbench/identity';
import { Roles, TenantContext, type Role } from '@schoolbench/tenancy';

import { roleName } from '../views/view-filters';
import { errorList, inputErrors } from './form-errors';
import { idParam } from './params';

const GRANTABLE: Role[] = ['la_admin', 'analyst', 'headteacher', 'governor'];

/** An LA admin gives a user of their authority another role (UsersService.changeRole). */
@Controller('users')
export class UserRolesController {
  constructor(
    private readonly users: UsersService,
    private readonly context: TenantContext,
  ) {}

  @Roles('la_admin')
  @Get(':id/role')
  @Render('pages/user-role.njk')
  async form(@Param('id') id: string): Promise<Record<string, unknown>> {
    const user = await this.user(id);
    return this.view(
      user,
      { role: user.role, schoolUrn: user.schoolUrn === null ? '' : String(user.schoolUrn) },
      {},
    );
  }

  @Roles('la_admin')
  @Post(':id/role')
  async change(
    @Param('id') id: string,
    @Body() body: { role?: string; schoolUrn?: string },
    @Res() res: Response,
  ): Promise<void> {
    const user = await this.user(id);
    const values = {
      role: String(body.role ?? ''),
      schoolUrn: String(body.schoolUrn ?? '').trim(),
    };
    const fields: Record<string, string> = {};
    if (!(GRANTABLE as string[]).includes(values.role)) fields.role = 'Choose a role';
    const bound = values.role === 'headteacher' || values.role === 'governor';
    if (bound && !/^\d{6,9}$/.test(values.schoolUrn))
      fields.schoolUrn = 'Enter the URN of the school, like 116001';
    if (!Object.keys(fields).length) {
      try {
        await this.users.changeRole({
          id: user.id,
          role: values.role as Role,
          // Only headteachers and governors have a school; the field is ignored for other roles.
          schoolUrn: bound ? Number(values.schoolUrn) : null,
        });
        res.redirect(303, '/users');
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['role', 'schoolUrn']));
      }
    }
    res.status(400).render('pages/user-role.njk', this.view(user, values, fields));
  }

  /** A user of the caller's authority, other than themselves; anything else does not exist here. */
  private async user(id: string) {
    const user = await this.users.findById(idParam(id));
    if (!user || user.id === this.context.principal().userId) throw notFound('Page');
    return user;
  }

  private view(
    user: { id: string; email: string; role: Role; schoolUrn: number | null },
    values: { role: string; schoolUrn: string },
    fields: Record<string, string>,
  ): Record<string, unknown> {
    return {
      pageTitle: `Change the role of ${user.email}`,
      target: user,
      currentRole: roleName(user.role),
      values,
      fieldErrors: fields,
      errors: errorList(fields),
      roleItems: GRANTABLE.map((r) => ({
        value: r,
        text: roleName(r)[0].toUpperCase() + roleName(r).slice(1),
        checked: values.role === r,
      })),
    };
  }
}

import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { notFound } from '@schoolbench/graphql';
import { ApiKeysService, UsersService, type UserEventModel } from '@schoolbench/identity';
import { AccessLog } from '@schoolbench/sharing';
import { ROLES, Roles, TenantContext, type Role } from '@schoolbench/tenancy';

import { roleName } from '../views/view-filters';
import { errorList, inputErrors } from './form-errors';
import { idParam } from './params';

const LOG_PAGE_SIZE = 50;

function optionalDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const RECENT_USER_EVENTS = 20;

/** A user event in words, e.g. "Role changed from analyst to headteacher of school 116382". */
function userEventWords(e: UserEventModel): string {
  const role = (r: Role | null, urn: number | null) =>
    r === null ? '' : `${roleName(r).toLowerCase()}${urn === null ? '' : ` of school ${urn}`}`;
  const before = role(e.roleBefore, e.schoolUrnBefore);
  const after = role(e.roleAfter, e.schoolUrnAfter);
  switch (e.event) {
    case 'created':
      return `Added as ${after}`;
    case 'invited':
      return `Invited as ${after}`;
    case 'signed_up':
      return 'Accepted the invitation';
    case 'role_changed':
      return `Role changed from ${before} to ${after}`;
    case 'removed':
      return `Removed (was ${before})`;
  }
}

/** An LA admin's pages: the access log, users and API keys. */
@Controller()
export class AdministrationController {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly users: UsersService,
    private readonly keys: ApiKeysService,
    private readonly context: TenantContext,
  ) {}

  @Roles('la_admin')
  @Get('access-log')
  @Render('pages/access-log.njk')
  async log(
    @Query()
    query: {
      protocolId?: string;
      readerLaCode?: string;
      since?: string;
      until?: string;
      after?: string;
    },
  ): Promise<Record<string, unknown>> {
    const fields: Record<string, string> = {};
    const protocolId = query.protocolId?.trim() || undefined;
    if (protocolId && !/^[0-9a-f-]{36}$/i.test(protocolId))
      fields.protocolId = 'Enter a protocol id as shown on the protocol’s page';
    const since = optionalDate(query.since);
    const until = optionalDate(query.until);
    if (query.since && !since) fields.since = 'Enter a date, like 2026-12-01';
    if (query.until && !until) fields.until = 'Enter a date, like 2026-12-31';
    const filter = {
      protocolId: fields.protocolId ? undefined : protocolId,
      readerLaCode: query.readerLaCode?.trim() || undefined,
      since,
      until,
    };
    const page = Object.keys(fields).length
      ? { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } }
      : await this.accessLog.list(filter, LOG_PAGE_SIZE, query.after || undefined);
    const csvQuery = new URLSearchParams(
      Object.entries({
        protocolId: filter.protocolId,
        since: query.since,
        until: query.until,
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
    const nextQuery = page.pageInfo.hasNextPage
      ? new URLSearchParams({
          ...Object.fromEntries(Object.entries(query).filter(([, v]) => v)),
          after: page.pageInfo.endCursor ?? '',
        }).toString()
      : null;
    return {
      pageTitle: 'Access log',
      entries: page.nodes,
      totalCount: page.totalCount,
      values: query,
      fieldErrors: fields,
      errors: errorList(fields),
      csvHref: `/api/access-log.csv${csvQuery ? `?${csvQuery}` : ''}`,
      nextHref: nextQuery ? `/access-log?${nextQuery}` : null,
    };
  }

  @Roles('la_admin')
  @Get('users')
  @Render('pages/users.njk')
  async userList(): Promise<Record<string, unknown>> {
    return this.usersView({}, {});
  }

  @Roles('la_admin')
  @Post('users')
  async invite(
    @Body() body: { email?: string; role?: string; schoolUrn?: string },
    @Res() res: Response,
  ): Promise<void> {
    const values = {
      email: String(body.email ?? '').trim(),
      role: String(body.role ?? ''),
      schoolUrn: String(body.schoolUrn ?? '').trim(),
    };
    const fields: Record<string, string> = {};
    if (!values.email.includes('@')) fields.email = 'Enter an email address, like name@example.org';
    if (!(ROLES as readonly string[]).includes(values.role)) fields.role = 'Choose a role';
    const bound = values.role === 'headteacher' || values.role === 'governor';
    if (bound && !/^\d{6,9}$/.test(values.schoolUrn))
      fields.schoolUrn = 'Enter the URN of the school, like 116001';
    if (!Object.keys(fields).length) {
      try {
        const invitation = await this.users.invite({
          email: values.email,
          role: values.role as Role,
          schoolUrn: bound ? Number(values.schoolUrn) : null,
        });
        res.render('pages/users.njk', {
          ...(await this.usersView({}, {})),
          invited: { email: invitation.user.email, token: invitation.invitationToken },
        });
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['email', 'role', 'schoolUrn']));
      }
    }
    res.status(400).render('pages/users.njk', await this.usersView(values, fields));
  }

  @Roles('la_admin')
  @Get('users/:id/remove')
  @Render('pages/confirm.njk')
  async removeConfirm(@Param('id') id: string): Promise<Record<string, unknown>> {
    const user = await this.users.findById(idParam(id));
    if (!user) return this.notFound();
    return {
      pageTitle: `Remove ${user.email}`,
      heading: `Remove ${user.email}?`,
      explain:
        'They are signed out at once and their API keys stop working. This cannot be undone.',
      action: `/users/${user.id}/remove`,
      button: 'Remove user',
      cancel: '/users',
    };
  }

  @Roles('la_admin')
  @Post('users/:id/remove')
  async remove(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.users.remove(idParam(id));
    res.redirect(303, '/users');
  }

  @Roles('la_admin', 'analyst')
  @Get('api-keys')
  @Render('pages/api-keys.njk')
  async keyList(): Promise<Record<string, unknown>> {
    return this.keysView({}, {});
  }

  @Roles('la_admin', 'analyst')
  @Post('api-keys')
  async createKey(@Body() body: { name?: string }, @Res() res: Response): Promise<void> {
    const name = String(body.name ?? '').trim();
    const fields: Record<string, string> = {};
    if (!name) fields.name = 'Enter a name for the key, like the script that uses it';
    if (!Object.keys(fields).length) {
      try {
        const created = await this.keys.create(name);
        res.render('pages/api-keys.njk', { ...(await this.keysView({}, {})), created });
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, ['name']));
      }
    }
    res.status(400).render('pages/api-keys.njk', await this.keysView({ name }, fields));
  }

  @Roles('la_admin', 'analyst')
  @Get('api-keys/:id/revoke')
  @Render('pages/confirm.njk')
  async revokeConfirm(@Param('id') id: string): Promise<Record<string, unknown>> {
    const key = (await this.keys.list()).find((k) => k.id === idParam(id));
    if (!key) return this.notFound();
    return {
      pageTitle: `Revoke ${key.name}`,
      heading: `Revoke the API key “${key.name}”?`,
      explain: 'Scripts using it stop working at once. This cannot be undone.',
      action: `/api-keys/${key.id}/revoke`,
      button: 'Revoke key',
      cancel: '/api-keys',
    };
  }

  @Roles('la_admin', 'analyst')
  @Post('api-keys/:id/revoke')
  async revoke(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.keys.revoke(idParam(id));
    res.redirect(303, '/api-keys');
  }

  private notFound(): never {
    throw notFound('Page');
  }

  private async usersView(values: Record<string, string>, fields: Record<string, string>) {
    const page = await this.users.list(200);
    const events = await this.users.events(RECENT_USER_EVENTS);
    const grantable: Role[] = ['la_admin', 'analyst', 'headteacher', 'governor'];
    return {
      pageTitle: 'Users',
      users: page.nodes,
      events: events.nodes.map((e) => ({
        at: e.at,
        email: e.email,
        what: userEventWords(e),
        by: e.actorUserId === null ? 'The operator' : (e.actorEmail ?? 'A removed user'),
      })),
      eventCount: events.totalCount,
      me: this.context.principal().userId,
      values,
      fieldErrors: fields,
      errors: errorList(fields),
      roleItems: [
        { value: '', text: 'Choose a role' },
        ...grantable.map((r) => ({ value: r, text: roleName(r), selected: values.role === r })),
      ],
    };
  }

  private async keysView(values: Record<string, string>, fields: Record<string, string>) {
    return {
      pageTitle: 'API keys',
      keys: await this.keys.list(),
      values,
      fieldErrors: fields,
      errors: errorList(fields),
    };
  }
}

import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { Throttle } from '@nestjs/throttler';
import type { Request, Response } from 'express';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { DomainError } from '@schoolbench/graphql';
import { LoginThrottleGuard } from '@schoolbench/identity';
import { Public } from '@schoolbench/tenancy';
import { TenantsService } from '@schoolbench/tenants';

import { clearCookie, SESSION_COOKIE, setCookie } from '../session/cookies';
import { WebSessions } from '../session/web-sessions';
import { fieldError, type PageError } from './form-errors';

/** Only a path on this site: never an absolute URL another site could be sent to. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/sign-')
    ? next
    : '/';
}

export function signInPage(
  res: Response,
  state: { email?: string; next?: string; summary?: string; fields?: Record<string, string> },
): Record<string, unknown> {
  const fields = state.fields ?? {};
  const errors: PageError[] = Object.entries(fields).map(([id, text]) => fieldError(id, text));
  if (state.summary) errors.push({ text: state.summary, href: '#email' });
  const config = res.app.get('schoolbenchConfig') as AppConfig | undefined;
  return {
    pageTitle: 'Sign in',
    email: state.email ?? '',
    next: state.next ?? '/',
    errors,
    fieldErrors: fields,
    idleMinutes: Math.round((config?.WEB_SESSION_IDLE_SECONDS ?? 1800) / 60),
  };
}

@Controller()
export class SignInController {
  constructor(
    private readonly sessions: WebSessions,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('sign-in')
  show(@Query('next') next: string | undefined, @Req() req: Request, @Res() res: Response): void {
    if (req.webSession) return res.redirect(303, safeNext(next));
    res.render('pages/sign-in.njk', signInPage(res, { next: safeNext(next) }));
  }

  @Public()
  @UseGuards(LoginThrottleGuard)
  @Throttle({ login: {} })
  @Post('sign-in')
  async signIn(
    @Body() body: { email?: string; password?: string; next?: string },
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const email = String(body.email ?? '').trim();
    const password = String(body.password ?? '');
    const next = safeNext(body.next);
    const fields: Record<string, string> = {};
    if (!email) fields.email = 'Enter your email address';
    else if (!email.includes('@')) fields.email = 'Enter an email address, like name@example.org';
    if (!password) fields.password = 'Enter your password';
    if (Object.keys(fields).length) {
      res.status(400).render('pages/sign-in.njk', signInPage(res, { email, next, fields }));
      return;
    }
    try {
      if (req.webSession) await this.sessions.close(req.webSession.id);
      const { id } = await this.sessions.open(email, password, async (tenantId) => {
        const tenant = await this.tenants.get(tenantId);
        return tenant?.name ?? '';
      });
      setCookie(req, res, SESSION_COOKIE, id, this.config.WEB_SESSION_MAX_SECONDS);
      res.redirect(303, next);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
        res
          .status(401)
          .render(
            'pages/sign-in.njk',
            signInPage(res, { email, next, summary: 'Email address or password is wrong' }),
          );
        return;
      }
      throw error;
    }
  }

  @Public()
  @Post('sign-out')
  async signOut(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.webSession) await this.sessions.close(req.webSession.id);
    clearCookie(req, res, SESSION_COOKIE);
    res.redirect(303, '/sign-in');
  }
}

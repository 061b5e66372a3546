import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

import { DomainError } from '@schoolbench/graphql';
import { LOGGER } from '@schoolbench/observability';

import { signInPage } from './pages/sign-in.controller';

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

interface ErrorPage {
  status: number;
  heading: string;
  lines: string[];
}

const NOT_FOUND: ErrorPage = {
  status: 404,
  heading: 'Page not found',
  lines: [
    'If you typed the web address, check it is correct.',
    'If you followed a link, the page may have moved, or you may not have access to it.',
  ],
};

/**
 * Errors as pages. A thing the user may not see is "not found", naming nothing of it; signed-out
 * requests go to the sign-in page; anything unexpected is logged and shown without details.
 */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const status = error instanceof HttpException ? error.getStatus() : undefined;
    if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      res.redirect(303, `/sign-in${next}`);
      return;
    }
    if (status === 429 && req.path === '/sign-in') {
      res.status(429).render(
        'pages/sign-in.njk',
        signInPage(res, {
          email: textOf((req.body as { email?: unknown } | undefined)?.email),
          summary: 'Too many sign-in attempts: wait a minute and try again',
        }),
      );
      return;
    }
    const page = this.pageFor(error, status);
    if (page.status >= 500)
      this.logger.error({ err: error, url: req.originalUrl }, 'web page failed');
    res.status(page.status).render('pages/error.njk', { pageTitle: page.heading, ...page });
  }

  private pageFor(error: unknown, status: number | undefined): ErrorPage {
    if (error instanceof DomainError) {
      switch (error.code) {
        case 'NOT_FOUND':
          return NOT_FOUND;
        case 'FORBIDDEN':
        case 'PROTOCOL_REQUIRED':
          return {
            status: 403,
            heading: 'You cannot use this page',
            lines: [error.message],
          };
        case 'BAD_USER_INPUT':
          return { status: 400, heading: 'Check what you asked for', lines: [error.message] };
        case 'RATE_LIMITED':
          return { status: 429, heading: 'Too many requests', lines: [error.message] };
        default:
          break;
      }
    }
    if (status === 404) return NOT_FOUND;
    if (status === 413) {
      return {
        status,
        heading: 'The file is too large',
        lines: [
          'Nothing was imported. Split the file, or ask your operator to raise the upload limit.',
        ],
      };
    }
    if (status === 429) {
      return { status, heading: 'Too many requests', lines: ['Wait a minute and try again.'] };
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return { status, heading: 'Check what you asked for', lines: ['The request was not valid.'] };
    }
    return {
      status: 500,
      heading: 'Sorry, there is a problem with the service',
      lines: ['Try again later.'],
    };
  }
}

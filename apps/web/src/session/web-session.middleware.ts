import { randomBytes } from 'node:crypto';
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { navigationFor } from '../pages/navigation';
import { formatDate } from '../views/view-filters';
import { PRE_SESSION_COOKIE, readCookies, SESSION_COOKIE, setCookie } from './cookies';
import { WebSessions, type LoadedSession } from './web-sessions';

declare module 'express' {
  interface Request {
    webSession?: LoadedSession;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Turns the session cookie into the credential the rest of the stack already understands: the
 * session's access token as a Bearer header, which the global AccessGuard verifies, resolving the
 * principal that every service and row-level security then use. Nothing else authenticates a page:
 * credentials sent by the browser itself are dropped. Every unsafe request must carry the CSRF
 * token bound to its session.
 */
@Injectable()
export class WebSessionMiddleware implements NestMiddleware {
  constructor(
    private readonly sessions: WebSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      delete req.headers.authorization;
      delete req.headers['x-api-key'];
      const cookies = readCookies(req);
      const loaded = await this.sessions.load(cookies[SESSION_COOKIE]);
      let csrfBinding: string;
      if (loaded) {
        req.webSession = loaded;
        req.headers.authorization = `Bearer ${loaded.session.accessToken}`;
        csrfBinding = `session:${loaded.id}`;
        res.locals.user = loaded.session;
        // The whole path: under forRoutes('*') Express gives the middleware `req.path` as "/".
        res.locals.navigation = navigationFor(loaded.session.role, req.originalUrl.split('?')[0]);
      } else {
        let pre = cookies[PRE_SESSION_COOKIE];
        if (!pre || !/^[A-Za-z0-9_-]{20,64}$/.test(pre)) {
          pre = randomBytes(24).toString('base64url');
          setCookie(req, res, PRE_SESSION_COOKIE, pre, this.config.WEB_SESSION_MAX_SECONDS);
        }
        csrfBinding = `pre:${pre}`;
      }
      res.locals.csrfToken = this.sessions.csrfToken(csrfBinding);
      res.locals.currentPath = req.originalUrl;
      res.locals.printedAt = formatDate(new Date(), true);
      if (!SAFE_METHODS.has(req.method) && !this.sameOriginWithToken(req, csrfBinding)) {
        res.status(403).render('pages/csrf-refused.njk', { pageTitle: 'Form expired' });
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  }

  private sameOriginWithToken(req: Request, csrfBinding: string): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return false;
    // Multipart bodies are parsed later, by the upload's own handler: their token rides in the
    // form's action URL instead.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = body._csrf ?? req.query._csrf;
    return this.sessions.csrfTokenMatches(csrfBinding, token);
  }
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';

import { APP_CONFIG, signingSecret, type AppConfig } from '@schoolbench/config';
import { CredentialsService } from '@schoolbench/identity';
import type { Role } from '@schoolbench/tenancy';

/** What the web keeps per signed-in browser. The browser holds only a random session id. */
export interface WebSession {
  userId: string;
  tenantId: string;
  tenantName: string;
  email: string;
  role: Role;
  schoolUrn: number | null;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  signedInAt: number;
}

export interface LoadedSession {
  id: string;
  session: WebSession;
}

// Refresh a little before the access token expires, so a page never fails half-way.
const REFRESH_MARGIN_MS = 30_000;

/**
 * Server-side web sessions in Redis, each backed by the identity library's rotating refresh token:
 * the access token the pages authenticate with is refreshed here, and signing out revokes the
 * token family. Sessions end after WEB_SESSION_IDLE_SECONDS without a request and
 * WEB_SESSION_MAX_SECONDS after sign-in.
 */
@Injectable()
export class WebSessions implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly refreshing = new Map<string, Promise<WebSession | null>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: CredentialsService,
  ) {
    const url = new URL(config.REDIS_URL);
    this.redis = new Redis({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      keyPrefix: `${config.REDIS_PREFIX}:web-session:`,
      lazyConnect: false,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  /** Signs in (the identity library checks the password) and opens a session. */
  async open(
    email: string,
    password: string,
    tenantName: (id: string) => Promise<string>,
  ): Promise<LoadedSession> {
    const payload = await this.credentials.login(email, password);
    // The tenant is the one the identity library put in the token it just signed.
    const claims = JSON.parse(
      Buffer.from(payload.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { tid: string };
    const id = randomBytes(32).toString('base64url');
    const session: WebSession = {
      userId: payload.user.id,
      tenantId: claims.tid,
      tenantName: await tenantName(claims.tid),
      email: payload.user.email,
      role: payload.user.role,
      schoolUrn: payload.user.schoolUrn,
      accessToken: payload.accessToken,
      accessExpiresAt: Date.now() + payload.expiresIn * 1000,
      refreshToken: payload.refreshToken,
      signedInAt: Date.now(),
    };
    await this.save(id, session);
    return { id, session };
  }

  /** The live session of a cookie value, its access token fresh; null when none or expired. */
  async load(id: string | undefined): Promise<LoadedSession | null> {
    if (!id || id.length > 100) return null;
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    let session = JSON.parse(raw) as WebSession;
    if (Date.now() - session.signedInAt > this.config.WEB_SESSION_MAX_SECONDS * 1000) {
      await this.close(id);
      return null;
    }
    if (session.accessExpiresAt - Date.now() < REFRESH_MARGIN_MS) {
      const refreshed = await this.refresh(id, session);
      if (!refreshed) return null;
      session = refreshed;
    } else {
      await this.redis.expire(this.key(id), this.config.WEB_SESSION_IDLE_SECONDS);
    }
    return { id, session };
  }

  /** Signs out: the session goes and its refresh token family is revoked. */
  async close(id: string): Promise<void> {
    const raw = await this.redis.getdel(this.key(id));
    if (raw) await this.credentials.signOut((JSON.parse(raw) as WebSession).refreshToken);
  }

  /** The CSRF token of a session (or of a signed-out browser's pre-session cookie). */
  csrfToken(bindTo: string): string {
    return createHmac('sha256', signingSecret(this.config))
      .update(`web-csrf:${bindTo}`)
      .digest('base64url');
  }

  csrfTokenMatches(bindTo: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(bindTo));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private refresh(id: string, session: WebSession): Promise<WebSession | null> {
    // Concurrent requests of one browser share one rotation: rotating a token twice would be
    // taken for theft and end the session.
    let pending = this.refreshing.get(id);
    if (!pending) {
      pending = this.credentials
        .refresh(session.refreshToken)
        .then(async (payload) => {
          const next: WebSession = {
            ...session,
            role: payload.user.role,
            schoolUrn: payload.user.schoolUrn,
            accessToken: payload.accessToken,
            accessExpiresAt: Date.now() + payload.expiresIn * 1000,
            refreshToken: payload.refreshToken,
          };
          await this.save(id, next);
          return next;
        })
        .catch(async () => {
          await this.redis.del(this.key(id));
          return null;
        })
        .finally(() => this.refreshing.delete(id));
      this.refreshing.set(id, pending);
    }
    return pending;
  }

  private async save(id: string, session: WebSession): Promise<void> {
    await this.redis.set(
      this.key(id),
      JSON.stringify(session),
      'EX',
      this.config.WEB_SESSION_IDLE_SECONDS,
    );
  }

  /** Redis keys hold a hash of the id, so a leaked key listing opens no session. */
  private key(id: string): string {
    return createHash('sha256').update(id).digest('hex');
  }
}

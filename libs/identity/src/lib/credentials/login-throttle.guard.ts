import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';

import { DomainError } from '@schoolbench/graphql';

/** The account a sign-in attempt is for: its e-mail as sign-in compares it. */
export function loginAccount(email: unknown): string {
  return typeof email === 'string' ? email.normalize('NFKC').trim().toLowerCase() : '';
}

interface LoginRequest extends Record<string, unknown> {
  ip?: string;
  loginAccount?: string;
}

/** The two sign-in throttlers: one per account (whatever the address), one per client address. */
export const LOGIN_THROTTLERS = {
  account: 'login-account',
  address: 'login-address',
} as const;

/** Trackers of the sign-in throttlers (set as each throttler's `getTracker`). */
export const trackAccount = (req: LoginRequest): string => `account:${req.loginAccount ?? ''}`;
// `req.ip` believes X-Forwarded-For only from TRUSTED_PROXIES (Express `trust proxy`).
export const trackAddress = (req: LoginRequest): string => `address:${String(req.ip)}`;

/**
 * Limits sign-in attempts per account and per client address, so password guessing is slow
 * against one account from many addresses and from one address against many accounts. The
 * counters live in Redis (RateCounters), shared by every API replica. Guards the
 * GraphQL `login` mutation and the web sign-in form.
 */
@Injectable()
export class LoginThrottleGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): {
    req: Record<string, unknown>;
    res: Record<string, unknown>;
  } {
    if (context.getType() === 'http') {
      // The web sign-in form posts the same e-mail field.
      const req = context.switchToHttp().getRequest<LoginRequest>();
      req.loginAccount = loginAccount((req.body as { email?: unknown } | undefined)?.email);
      return { req, res: context.switchToHttp().getResponse<Record<string, unknown>>() };
    }
    const gql = GqlExecutionContext.create(context);
    const ctx = gql.getContext<{ req: LoginRequest; res: Record<string, unknown> }>();
    ctx.req.loginAccount = loginAccount(gql.getArgs<{ email?: unknown }>().email);
    return { req: ctx.req, res: ctx.res };
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    limit: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new DomainError(
      'RATE_LIMITED',
      `Too many sign-in attempts: try again in ${limit.timeToBlockExpire} s`,
      { retryAfterSeconds: limit.timeToBlockExpire },
    );
  }
}

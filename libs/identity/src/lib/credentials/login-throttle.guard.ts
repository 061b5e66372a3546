import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Limits sign-in attempts per client address and e-mail, so password guessing is slow for one
 * account and for one attacker alike. Guards the GraphQL `login` mutation and the web sign-in form.
 */
@Injectable()
export class LoginThrottleGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): {
    req: Record<string, unknown>;
    res: Record<string, unknown>;
  } {
    if (context.getType() === 'http') {
      // The web sign-in form posts the same e-mail field.
      const req = context.switchToHttp().getRequest<Record<string, unknown>>();
      const body = (req.body ?? {}) as { email?: unknown };
      req.loginEmail = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
      return { req, res: context.switchToHttp().getResponse<Record<string, unknown>>() };
    }
    const gql = GqlExecutionContext.create(context);
    const ctx = gql.getContext<{ req: Record<string, unknown>; res: Record<string, unknown> }>();
    const args = gql.getArgs<{ email?: string }>();
    ctx.req.loginEmail = (args.email ?? '').trim().toLowerCase();
    return { req: ctx.req, res: ctx.res };
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(`${String(req.ip)}|${String(req.loginEmail)}`);
  }

  protected override getErrorMessage(): Promise<string> {
    return Promise.resolve('Too many sign-in attempts: wait a minute and try again');
  }
}

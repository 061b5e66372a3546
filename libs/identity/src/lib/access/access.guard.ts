import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';

import { isDatabaseUnavailable } from '@schoolbench/database';
import { forbidden, unauthenticated } from '@schoolbench/graphql';
import { ACCESS_RULE, TenantContext, type AccessRule, type Principal } from '@schoolbench/tenancy';

import { JwtStrategy } from './jwt.strategy';
import { TenantRequestLimit } from './tenant-request-limit';

function requestOf(context: ExecutionContext): Request {
  if (context.getType<GqlContextType>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: Request }>().req;
  }
  return context.switchToHttp().getRequest<Request>();
}

/**
 * The global guard. Deny by default: an operation without an access rule is refused, so a new
 * resolver cannot be exposed by forgetting a decorator. Puts the principal into the context.
 */
@Injectable()
export class AccessGuard extends AuthGuard(['jwt', 'api-key']) {
  private readonly verifying = new WeakMap<Request, Promise<boolean>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tenantContext: TenantContext,
    private readonly tenantRequests: TenantRequestLimit,
    private readonly jwt: JwtStrategy,
  ) {
    super();
  }

  override getRequest(context: ExecutionContext): Request {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<GqlContextType>() === 'graphql') {
      const info = GqlExecutionContext.create(context).getInfo<{ parentType: { name: string } }>();
      // Object fields below a guarded root field inherit its decision.
      if (!['Query', 'Mutation', 'Subscription'].includes(info.parentType.name)) return true;
    }
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) throw forbidden('This operation declares no access rule and is closed');
    if (rule.public) return true;
    const req = requestOf(context);
    // The principal is resolved once per request: the root fields of one GraphQL request (run in
    // parallel) share the one verification.
    let verifying = this.verifying.get(req);
    if (!verifying) {
      verifying = this.authenticate(context, req);
      this.verifying.set(req, verifying);
    }
    await verifying;
    const principal = req.user as Principal;
    if (!rule.roles.includes(principal.role)) {
      throw forbidden(
        `This needs one of the roles ${rule.roles.join(', ')}; you are ${principal.role}`,
      );
    }
    this.tenantContext.setPrincipal(principal);
    await this.tenantRequests.admit(principal, req);
    if (context.getType<GqlContextType>() === 'graphql') {
      const { operation } = GqlExecutionContext.create(context).getInfo<{
        operation: { operation: string };
      }>();
      if (operation.operation === 'query') this.tenantContext.useOneSnapshot();
    }
    return true;
  }

  /**
   * A valid access token is checked here, with the key made once; anything else (an API key, no
   * credentials, a token that is expired, forged or of a removed user) goes through passport's
   * strategies, which answer it as they always did.
   */
  private async authenticate(context: ExecutionContext, req: Request): Promise<boolean> {
    let principal: Principal | undefined;
    try {
      principal = await this.jwt.principalFromBearer(req);
    } catch (error) {
      // As when passport's strategy throws: an unreachable database is passed on (503).
      return this.handleRequest(error, false, undefined);
    }
    if (principal) {
      req.user = principal;
      return true;
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(err: unknown, user: T | false, info: unknown): T {
    // A strategy that could not check the credentials because the database is unreachable says
    // nothing about them: passed on, it is answered 503 (retry), not "sign in first" (which
    // tells a client to throw its session away).
    if (isDatabaseUnavailable(err)) throw err;
    if (err || !user) {
      // With several strategies passport reports one failure per strategy.
      const failures = Array.isArray(info) ? (info as unknown[]) : [info];
      const reason = failures.find((f): f is Error => f instanceof Error)?.message;
      if (reason === 'jwt expired')
        throw unauthenticated('The access token has expired: refresh it');
      if (reason && /signature|malformed|invalid/i.test(reason)) {
        throw unauthenticated('The access token is not valid');
      }
      throw unauthenticated();
    }
    return user;
  }
}

import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { APP_CONFIG, signingSecret, type AppConfig } from '@schoolbench/config';
import { TenantTransactions, type Principal, type Role } from '@schoolbench/tenancy';

import type { AccessClaims } from '../credentials/credentials.service';
import { verifiedClaims } from './access-token';

/** The bearer token of a request, read as passport-jwt reads it for the strategy. */
const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer JWT access tokens. The user must still exist and their authority be active: deleting a
 * user or suspending an authority ends their sessions.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly key: () => KeyObject;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tx: TenantTransactions,
  ) {
    // The secret as a key object, made once: given the string, jsonwebtoken tries to parse it as
    // a public key on every request before treating it as a secret. Made on first use, so that
    // operator commands that never check a token run without JWT_SECRET.
    let key: KeyObject | undefined;
    const keyObject = (): KeyObject =>
      (key ??= createSecretKey(Buffer.from(signingSecret(config), 'utf8')));
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: (
        _req: unknown,
        _token: unknown,
        done: (e: unknown, s?: string | Buffer) => void,
      ) => {
        try {
          done(null, keyObject() as unknown as Buffer);
        } catch (error) {
          done(error);
        }
      },
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
    this.key = keyObject;
  }

  /**
   * The principal of a request whose bearer token is a valid access token of an existing user,
   * without passport's per-request machinery (a strategy object per request, callbacks,
   * jsonwebtoken's option checks): the access guard's path for nearly every request. Undefined
   * in every other case, which the guard then leaves to passport to answer exactly as before.
   */
  async principalFromBearer(req: Request): Promise<Principal | undefined> {
    const token = bearerToken(req);
    const claims = token ? verifiedClaims(token, this.key()) : undefined;
    if (!claims) return undefined;
    return (await this.validate(claims as unknown as AccessClaims)) || undefined;
  }

  async validate(claims: AccessClaims): Promise<Principal | false> {
    if (claims.typ !== 'access' || !UUID.test(claims.tid) || !UUID.test(claims.sub)) return false;
    // One statement, and for a read request the first of its shared transaction (same round
    // trip as opening it). A suspended authority (e.g. one leaving) is signed out at once, not
    // when its tokens expire: its users are not found.
    const [user] = await this.tx.lookupAs<{ role: Role; school_urn: number | null }>(
      claims.tid,
      claims.sub,
      `select u.role, u.school_urn from users u
        where u.tenant_id = '${claims.tid}' and u.id = '${claims.sub}'
          and exists (select 1 from tenants t where t.id = '${claims.tid}' and t.status = 'active')`,
    );
    if (!user) return false;
    return {
      tenantId: claims.tid,
      userId: claims.sub,
      role: user.role,
      schoolUrn: user.school_urn,
      via: 'password',
    };
  }
}

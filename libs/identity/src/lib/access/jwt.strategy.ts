import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { APP_CONFIG, signingSecret, type AppConfig } from '@schoolbench/config';
import { TenantTransactions, type Principal } from '@schoolbench/tenancy';

import type { AccessClaims } from '../credentials/credentials.service';
import { UserEntity } from '../users/user.entity';

/**
 * Bearer JWT access tokens. The user must still exist and their authority be active: deleting a
 * user or suspending an authority ends their sessions.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tx: TenantTransactions,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_req: unknown, _token: unknown, done: (e: null, s: string) => void) =>
        done(null, signingSecret(config)),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims): Promise<Principal | false> {
    if (claims.typ !== 'access') return false;
    const user = await this.tx.inTenant(claims.tid, async (m) => {
      // A suspended authority (e.g. one leaving) is signed out at once, not when tokens expire.
      const active = await m.query<unknown[]>(
        "select 1 from tenants where id = $1 and status = 'active'",
        [claims.tid],
      );
      if (active.length === 0) return null;
      return m.findOne(UserEntity, {
        where: { tenantId: claims.tid, id: claims.sub },
        select: { id: true, role: true, schoolUrn: true, tenantId: true },
      });
    });
    if (!user) return false;
    return {
      tenantId: user.tenantId,
      userId: user.id,
      role: user.role,
      schoolUrn: user.schoolUrn,
      via: 'password',
    };
  }
}

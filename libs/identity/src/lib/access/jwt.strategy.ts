import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { APP_CONFIG, signingSecret, type AppConfig } from '@schoolbench/config';
import { TenantTransactions, type Principal } from '@schoolbench/tenancy';

import type { AccessClaims } from '../credentials/credentials.service';
import { UserEntity } from '../users/user.entity';

/** Bearer JWT access tokens. The user must still exist: deleting a user ends their sessions. */
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
    const user = await this.tx.inTenant(claims.tid, (m) =>
      m.findOne(UserEntity, {
        where: { tenantId: claims.tid, id: claims.sub },
        select: { id: true, role: true, schoolUrn: true, tenantId: true },
      }),
    );
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

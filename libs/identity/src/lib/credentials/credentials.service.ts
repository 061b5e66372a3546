import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager, IsNull } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { badInput, unauthenticated } from '@schoolbench/graphql';
import { TenantTransactions, type Role } from '@schoolbench/tenancy';

import { recordUserEvent } from '../users/user-events';
import { checkPassword } from '../users/user-rules';
import { UserEntity } from '../users/user.entity';
import { toUserModel } from '../users/users.service';
import { AuthPayloadModel } from './auth-payload.model';
import { hashPassword, verifyPassword } from './password-hashing';
import { RefreshTokenEntity } from './refresh-token.entity';
import { sameHash, sha256 } from './secret-token';

export interface AccessClaims {
  sub: string;
  tid: string;
  role: Role;
  urn: number | null;
  typ: 'access';
}

interface RefreshClaims {
  sub: string;
  tid: string;
  fam: string;
  jti: string;
  typ: 'refresh';
}

const SIGN_IN_FAILED = 'E-mail or password is wrong';

/** Sign-in, token refresh with rotation, and invitations. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string, laCode?: string | null): Promise<AuthPayloadModel> {
    const entries = await this.tx.runOutsideTenant((m) =>
      m.query<{ tenant_id: string; user_id: string }[]>(
        'select tenant_id, user_id from auth_resolve_login($1) order by tenant_id',
        [email.trim()],
      ),
    );
    // One address may have an account in several authorities: the password says which one. Every
    // candidate is verified (an unknown address still costs one verification), so timing tells
    // no more than the answer.
    const matches: UserEntity[] = [];
    for (const entry of entries.length ? entries : [null]) {
      const user = entry
        ? await this.tx.inTenant(entry.tenant_id, (m) =>
            m.findOneBy(UserEntity, { tenantId: entry.tenant_id, id: entry.user_id }),
          )
        : null;
      const ok = await verifyPassword(user?.passwordHash ?? null, password);
      const authority = user && ok ? await this.activeTenantLaCode(user.tenantId) : undefined;
      if (user && authority !== undefined && (!laCode || authority === laCode)) matches.push(user);
    }
    const [user] = matches;
    if (!user) throw unauthenticated(SIGN_IN_FAILED);
    if (matches.length > 1) {
      // Said only to someone who knows the password of each of these accounts.
      throw badInput(
        'This e-mail has an account with this password in more than one authority: say which with `laCode`',
        { field: 'laCode' },
      );
    }
    return this.tx.inTenant(user.tenantId, (m) => this.issue(m, user, randomUUID()));
  }

  /** Rotates a refresh token. A token used twice revokes its whole family (token theft). */
  async refresh(token: string): Promise<AuthPayloadModel> {
    let claims: RefreshClaims;
    try {
      claims = await this.jwt.verifyAsync<RefreshClaims>(token);
    } catch {
      throw unauthenticated('The refresh token is invalid or expired: sign in again');
    }
    if (claims.typ !== 'refresh') throw unauthenticated('That is not a refresh token');
    if ((await this.activeTenantLaCode(claims.tid)) === undefined) {
      throw unauthenticated('Your authority’s account is suspended: sign-in is not possible');
    }
    const outcome = await this.tx.inTenant(claims.tid, async (m) => {
      const row = await m
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.id = :id', { id: claims.jti })
        .getOne();
      if (!row || row.revokedAt || row.expiresAt < new Date()) return 'invalid' as const;
      if (row.rotatedAt) {
        await m.update(
          RefreshTokenEntity,
          { tenantId: claims.tid, familyId: row.familyId, revokedAt: IsNull() },
          { revokedAt: new Date() },
        );
        return 'reused' as const;
      }
      await m.update(
        RefreshTokenEntity,
        { tenantId: claims.tid, id: row.id },
        { rotatedAt: new Date() },
      );
      const user = await m.findOneBy(UserEntity, { tenantId: claims.tid, id: row.userId });
      if (!user) return 'invalid' as const;
      return this.issue(m, user, row.familyId);
    });
    if (outcome === 'reused') {
      throw unauthenticated(
        'This refresh token was already used; every session of it is now signed out',
      );
    }
    if (outcome === 'invalid')
      throw unauthenticated('The refresh token is no longer valid: sign in again');
    return outcome;
  }

  /**
   * Ends the session a refresh token belongs to: its whole family is revoked, so neither it nor
   * any token rotated from it works again. An invalid or expired token has nothing left to end.
   */
  async signOut(token: string): Promise<void> {
    let claims: RefreshClaims;
    try {
      claims = await this.jwt.verifyAsync<RefreshClaims>(token);
    } catch {
      return;
    }
    if (claims.typ !== 'refresh') return;
    await this.tx.inTenant(claims.tid, (m) =>
      m.update(
        RefreshTokenEntity,
        { tenantId: claims.tid, familyId: claims.fam, revokedAt: IsNull() },
        { revokedAt: new Date() },
      ),
    );
  }

  async acceptInvitation(token: string, password: string): Promise<AuthPayloadModel> {
    const [kind, tenantId, userId, secret] = token.split('.');
    const uuid = /^[0-9a-f-]{36}$/;
    if (kind !== 'sbi' || !uuid.test(tenantId ?? '') || !uuid.test(userId ?? '') || !secret) {
      throw badInput('That is not an invitation token', { field: 'token' });
    }
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const payload = await this.tx.inTenant(tenantId, async (m) => {
      const user = await m.findOneBy(UserEntity, { tenantId, id: userId });
      if (
        !user?.invitationHash ||
        !user.invitationExpiresAt ||
        user.invitationExpiresAt < new Date() ||
        !sameHash(user.invitationHash, sha256(secret))
      ) {
        return null;
      }
      await m.update(
        UserEntity,
        { tenantId, id: userId },
        { passwordHash, invitationHash: null, invitationExpiresAt: null },
      );
      await recordUserEvent(m, tenantId, {
        userId,
        email: user.email,
        event: 'signed_up',
        roleAfter: user.role,
        schoolUrnAfter: user.schoolUrn,
        actorUserId: userId,
      });
      return this.issue(m, { ...user, passwordHash }, randomUUID());
    });
    if (!payload)
      throw unauthenticated('The invitation is invalid, used or expired: ask for a new one');
    return payload;
  }

  /** The LA code of an active tenant ('' for the platform and public tenants); undefined if not active. */
  private async activeTenantLaCode(tenantId: string): Promise<string | undefined> {
    const [row] = await this.tx.runOutsideTenant((m) =>
      m.query<{ la_code: string | null }[]>(
        "select la_code from tenants where id = $1 and status = 'active'",
        [tenantId],
      ),
    );
    return row ? (row.la_code ?? '') : undefined;
  }

  private async issue(
    m: EntityManager,
    user: UserEntity,
    familyId: string,
  ): Promise<AuthPayloadModel> {
    const access: AccessClaims = {
      sub: user.id,
      tid: user.tenantId,
      role: user.role,
      urn: user.schoolUrn,
      typ: 'access',
    };
    const jti = randomUUID();
    const refresh: RefreshClaims = {
      sub: user.id,
      tid: user.tenantId,
      fam: familyId,
      jti,
      typ: 'refresh',
    };
    await m.insert(RefreshTokenEntity, {
      tenantId: user.tenantId,
      id: jti,
      userId: user.id,
      familyId,
      expiresAt: new Date(Date.now() + this.config.REFRESH_TTL_SECONDS * 1000),
    });
    return {
      accessToken: await this.jwt.signAsync(access, {
        expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      }),
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      refreshToken: await this.jwt.signAsync(refresh, {
        expiresIn: this.config.REFRESH_TTL_SECONDS,
      }),
      user: toUserModel(user),
    };
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';

import {
  badInput,
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  type Connection,
} from '@schoolbench/graphql';
import { TenantContext, TenantTransactions, type Role } from '@schoolbench/tenancy';

import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { hashPassword } from '../credentials/password-hashing';
import { RefreshTokenEntity } from '../credentials/refresh-token.entity';
import { newSecret, sha256 } from '../credentials/secret-token';
import { listUserEvents, recordUserEvent, type UserEventModel } from './user-events';
import { ChangeUserRoleInput, CreateUserInput, InviteUserInput } from './user-input';
import { checkGrantableRole, checkPassword, normaliseEmail, roleWords } from './user-rules';
import { UserEntity } from './user.entity';
import { UserModel } from './user.model';

const INVITATION_DAYS = 7;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Invitation {
  user: UserModel;
  /** Shown once: `sbi.<tenant>.<user>.<secret>`; only its hash is stored. */
  invitationToken: string;
}

export function toUserModel(user: UserEntity): UserModel {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    schoolUrn: user.schoolUrn,
    active: user.passwordHash !== null,
    createdAt: user.createdAt,
  };
}

/** Rows that name a user as who did something, kept (unnamed) when the user is removed. */
const USER_REFERENCES = [
  ['datasets', 'uploaded_by'],
  ['comparison_runs', 'requested_by'],
  ['benchmark_settings', 'updated_by'],
  ['tenant_exports', 'requested_by'],
] as const;

/** An authority's users. Everything runs inside the acting principal's tenant. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  async create(input: CreateUserInput): Promise<UserModel> {
    checkGrantableRole(this.context.principal().role, input.role, input.schoolUrn);
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const user = await this.insert(m, principal.tenantId, input, { passwordHash });
      await this.recordAdded(m, user, 'created', principal.userId);
      return toUserModel(user);
    });
  }

  async invite(input: InviteUserInput): Promise<Invitation> {
    checkGrantableRole(this.context.principal().role, input.role, input.schoolUrn);
    const principal = this.context.principal();
    return this.tx.run((m) => this.inviteWith(m, principal.tenantId, input, principal.userId));
  }

  /**
   * Invites a user in the transaction `m` (whose tenant is `tenantId`); used by onboarding too,
   * where the operator invites (`actorUserId` null).
   */
  async inviteWith(
    m: EntityManager,
    tenantId: string,
    input: InviteUserInput,
    actorUserId: string | null = null,
  ): Promise<Invitation> {
    const secret = newSecret();
    const user = await this.insert(m, tenantId, input, {
      invitationHash: sha256(secret),
      invitationExpiresAt: new Date(Date.now() + INVITATION_DAYS * 24 * 3600 * 1000),
    });
    await this.recordAdded(m, user, 'invited', actorUserId);
    return { user: toUserModel(user), invitationToken: `sbi.${tenantId}.${user.id}.${secret}` };
  }

  /** Creates a user of any role in the given tenant: for the operator CLI and demo only. */
  async provision(
    tenantId: string,
    input: {
      email: string;
      role: Role;
      password: string;
      schoolUrn?: number | null;
      displayName?: string;
    },
  ): Promise<UserModel> {
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    return this.tx.inTenant(tenantId, async (m) => {
      const user = await this.insert(m, tenantId, input, { passwordHash });
      await this.recordAdded(m, user, 'created', null);
      return toUserModel(user);
    });
  }

  async remove(id: string): Promise<boolean> {
    const principal = this.context.principal();
    if (principal.role !== 'la_admin') throw forbidden('Only an LA admin can remove users');
    if (id === principal.userId) throw badInput('You cannot remove yourself', { field: 'id' });
    return this.tx.run(async (m) => {
      // The directory rows of the user's keys go first: on Citus the directory is a reference
      // table and cannot cascade from the distributed api_keys (docs/scaling.md §4).
      const keys: { prefix: string }[] = await m.query(
        'select prefix from api_keys where tenant_id = $1 and created_by = $2',
        [principal.tenantId, id],
      );
      if (keys.length) {
        await m.query('delete from api_key_directory where tenant_id = $1 and prefix = any($2)', [
          principal.tenantId,
          keys.map((k) => k.prefix),
        ]);
      }
      const user = UUID.test(id)
        ? await m.findOneBy(UserEntity, { tenantId: principal.tenantId, id })
        : null;
      if (user) {
        // What ON DELETE SET NULL (column) does on one node; Citus cannot keep that action on a
        // key that includes tenant_id (docs/scaling.md §9.1), so the references go first.
        for (const [table, column] of USER_REFERENCES) {
          await m.query(
            `update ${table} set ${column} = null where tenant_id = $1 and ${column} = $2`,
            [principal.tenantId, id],
          );
        }
      }
      const result = user ? await m.delete(UserEntity, { tenantId: principal.tenantId, id }) : null;
      if (!user || !result?.affected) throw notFound(`User ${id}`);
      await recordUserEvent(m, principal.tenantId, {
        userId: user.id,
        email: user.email,
        event: 'removed',
        roleBefore: user.role,
        schoolUrnBefore: user.schoolUrn,
        actorUserId: principal.userId,
      });
      return true;
    });
  }

  /**
   * Gives a user of the caller's authority another role (and, for a headteacher or governor, a
   * school). An LA admin cannot change their own role, and the authority keeps at least one LA
   * admin who has signed in: otherwise nobody could manage its users or protocols again. The
   * user's API keys (which carry the role they were created with) are revoked and their sessions
   * end, so the new role applies to everything from the next request.
   */
  async changeRole(input: ChangeUserRoleInput): Promise<UserModel> {
    const principal = this.context.principal();
    if (principal.role !== 'la_admin') throw forbidden("Only an LA admin can change users' roles");
    checkGrantableRole(principal.role, input.role, input.schoolUrn);
    if (input.id === principal.userId) {
      throw badInput('You cannot change your own role: ask another LA admin of your authority', {
        field: 'id',
      });
    }
    const schoolUrn = input.schoolUrn ?? null;
    return this.tx.run(async (m) => {
      // Locks the authority's LA admins first, in one order, so two admins demoting each other at
      // once run one after the other and the second sees the first's change.
      const admins = await m.query<{ id: string; signed_up: boolean }[]>(
        `select id, password_hash is not null as signed_up from users
          where tenant_id = $1 and role = 'la_admin' order by id for update`,
        [principal.tenantId],
      );
      if (!admins.some((a) => a.id === principal.userId)) {
        throw forbidden('You are no longer an LA admin of your authority');
      }
      const user = UUID.test(input.id)
        ? await m.findOne(UserEntity, {
            where: { tenantId: principal.tenantId, id: input.id },
            lock: { mode: 'pessimistic_write' },
          })
        : null;
      if (!user) throw notFound(`User ${input.id}`);
      if (user.role === input.role && user.schoolUrn === schoolUrn) {
        throw badInput(`${user.email} is already ${roleWords(input.role, schoolUrn)}`, {
          field: 'role',
        });
      }
      const otherAdmins = admins.filter((a) => a.id !== user.id && a.signed_up);
      if (user.role === 'la_admin' && input.role !== 'la_admin' && otherAdmins.length === 0) {
        throw badInput(
          `${user.email} is your authority's last LA admin who has signed in: make someone else an LA admin first`,
          { field: 'role' },
        );
      }
      if (schoolUrn !== null) await this.mustBeOwnSchool(m, principal.tenantId, schoolUrn);
      const from = roleWords(user.role, user.schoolUrn);
      await m.update(
        UserEntity,
        { tenantId: principal.tenantId, id: user.id },
        { role: input.role, schoolUrn },
      );
      await recordUserEvent(m, principal.tenantId, {
        userId: user.id,
        email: user.email,
        event: 'role_changed',
        roleBefore: user.role,
        schoolUrnBefore: user.schoolUrn,
        roleAfter: input.role,
        schoolUrnAfter: schoolUrn,
        actorUserId: principal.userId,
      });
      const now = new Date();
      const keys = await m.update(
        ApiKeyEntity,
        { tenantId: principal.tenantId, createdBy: user.id, revokedAt: IsNull() },
        { revokedAt: now },
      );
      await m.update(
        RefreshTokenEntity,
        { tenantId: principal.tenantId, userId: user.id, revokedAt: IsNull() },
        { revokedAt: now },
      );
      this.logger.log({
        msg: 'user role changed',
        tenantId: principal.tenantId,
        actorUserId: principal.userId,
        userId: user.id,
        from,
        to: roleWords(input.role, schoolUrn),
        apiKeysRevoked: keys.affected ?? 0,
      });
      return toUserModel({ ...user, role: input.role, schoolUrn });
    });
  }

  async list(first: number, after?: string): Promise<Connection<UserModel>> {
    return this.tx.run(async (m) => {
      const qb = m
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .orderBy('u.email')
        .take(first + 1);
      const totalCount = await qb.clone().getCount();
      if (after) qb.where('u.email > :after', { after: decodeCursor(after, 1)[0] });
      const rows = await qb.getMany();
      const nodes = rows.slice(0, first).map(toUserModel);
      return {
        nodes,
        totalCount,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: nodes.length ? encodeCursor([nodes[nodes.length - 1].email]) : null,
        },
      };
    });
  }

  /** Who was given, changed or lost access, newest first: the authority's record. */
  async events(first: number, after?: string): Promise<Connection<UserEventModel>> {
    const principal = this.context.principal();
    if (principal.role !== 'la_admin') throw forbidden('Only an LA admin can read user changes');
    return this.tx.run((m) => listUserEvents(m, principal.tenantId, first, after));
  }

  /** For operator commands, which name the tenant themselves. */
  findByEmailInTenant(tenantId: string, email: string): Promise<UserEntity | null> {
    return this.tx.inTenant(tenantId, (m) =>
      m.findOneBy(UserEntity, { tenantId, email: normaliseEmail(email) }),
    );
  }

  async findById(id: string): Promise<UserEntity | null> {
    return this.tx.run((m) => m.findOneBy(UserEntity, { id }));
  }

  private async insert(
    m: EntityManager,
    tenantId: string,
    input: { email: string; role: Role; schoolUrn?: number | null; displayName?: string | null },
    secrets: Partial<Pick<UserEntity, 'passwordHash' | 'invitationHash' | 'invitationExpiresAt'>>,
  ): Promise<UserEntity> {
    const email = normaliseEmail(input.email);
    if (input.schoolUrn != null) await this.mustBeOwnSchool(m, tenantId, input.schoolUrn);
    // Only this authority's users count: whether another authority has the address is none of
    // this one's business (the same person may hold an account in each).
    const taken = await m.findOneBy(UserEntity, { tenantId, email });
    if (taken) {
      throw badInput(`${email} already has an account in your authority`, { field: 'email' });
    }
    const user = m.create(UserEntity, {
      tenantId,
      id: randomUUID(),
      email,
      role: input.role,
      schoolUrn: input.schoolUrn ?? null,
      displayName: input.displayName ?? null,
      passwordHash: secrets.passwordHash ?? null,
      invitationHash: secrets.invitationHash ?? null,
      invitationExpiresAt: secrets.invitationExpiresAt ?? null,
      createdAt: new Date(),
    });
    await m.insert(UserEntity, user);
    await m.query('insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)', [
      email,
      tenantId,
      user.id,
    ]);
    return user;
  }

  private recordAdded(
    m: EntityManager,
    user: UserEntity,
    event: 'created' | 'invited',
    actorUserId: string | null,
  ): Promise<void> {
    return recordUserEvent(m, user.tenantId, {
      userId: user.id,
      email: user.email,
      event,
      roleAfter: user.role,
      schoolUrnAfter: user.schoolUrn,
      actorUserId,
    });
  }

  private async mustBeOwnSchool(m: EntityManager, tenantId: string, urn: number): Promise<void> {
    const [school] = await m.query<unknown[]>(
      'select 1 from schools where tenant_id = $1 and urn = $2',
      [tenantId, urn],
    );
    if (!school) {
      throw badInput(`School ${urn} is not in your authority's register`, { field: 'schoolUrn' });
    }
  }
}

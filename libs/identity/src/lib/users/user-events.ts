import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { EntityManager } from 'typeorm';

import { badInput, decodeCursor, encodeCursor, type Connection } from '@schoolbench/graphql';
import { type Role } from '@schoolbench/tenancy';

import { RoleEnum } from './user.model';

export const USER_EVENTS = ['created', 'invited', 'signed_up', 'role_changed', 'removed'] as const;
export type UserEventKind = (typeof USER_EVENTS)[number];

export const UserEventKindEnum = Object.fromEntries(USER_EVENTS.map((e) => [e, e])) as {
  [K in UserEventKind]: K;
};
registerEnumType(UserEventKindEnum, {
  name: 'UserEventKind',
  description: 'What happened to a user’s access.',
});

/** One change to who may use SchoolBench for the authority. */
export interface UserEvent {
  userId: string;
  email: string;
  event: UserEventKind;
  roleBefore?: Role | null;
  schoolUrnBefore?: number | null;
  roleAfter?: Role | null;
  schoolUrnAfter?: number | null;
  /** Null for the operator (CLI, onboarding). */
  actorUserId: string | null;
}

@ObjectType('UserEvent', {
  description:
    "A change to who may use SchoolBench for your authority, kept for good (the authority's record of access).",
})
export class UserEventModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field()
  email!: string;

  @Field(() => UserEventKindEnum)
  event!: UserEventKind;

  @Field(() => RoleEnum, { nullable: true })
  roleBefore!: Role | null;

  @Field(() => Int, { nullable: true })
  schoolUrnBefore!: number | null;

  @Field(() => RoleEnum, { nullable: true })
  roleAfter!: Role | null;

  @Field(() => Int, { nullable: true })
  schoolUrnAfter!: number | null;

  @Field(() => ID, { nullable: true, description: 'Who did it; null for the operator.' })
  actorUserId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Their e-mail address, while they have an account.',
  })
  actorEmail!: string | null;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}

/** Appends one event in the caller's tenant transaction (append-only: never updated). */
export async function recordUserEvent(
  m: EntityManager,
  tenantId: string,
  e: UserEvent,
): Promise<void> {
  await m.query(
    `insert into user_events (tenant_id, user_id, email, event, role_before, school_urn_before,
       role_after, school_urn_after, actor_user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      tenantId,
      e.userId,
      e.email,
      e.event,
      e.roleBefore ?? null,
      e.schoolUrnBefore ?? null,
      e.roleAfter ?? null,
      e.schoolUrnAfter ?? null,
      e.actorUserId,
    ],
  );
}

/** The authority's events, newest first: a page of `first` after the cursor `after`. */
export async function listUserEvents(
  m: EntityManager,
  tenantId: string,
  first: number,
  after?: string,
): Promise<Connection<UserEventModel>> {
  const [afterId] = after ? decodeCursor(after, 1) : [null];
  if (afterId !== null && !/^\d{1,18}$/.test(String(afterId))) {
    throw badInput('The `after` cursor is not one this API issued', { argument: 'after' });
  }
  const rows = await m.query<
    {
      id: string;
      user_id: string;
      email: string;
      event: UserEventKind;
      role_before: Role | null;
      school_urn_before: number | null;
      role_after: Role | null;
      school_urn_after: number | null;
      actor_user_id: string | null;
      actor_email: string | null;
      at: Date;
      total: number;
    }[]
  >(
    `select e.id::text, e.user_id, e.email, e.event, e.role_before, e.school_urn_before,
            e.role_after, e.school_urn_after, e.actor_user_id, a.email as actor_email, e.at,
            (select count(*)::int from user_events where tenant_id = $1) as total
       from user_events e
       left join users a on a.tenant_id = e.tenant_id and a.id = e.actor_user_id
      where e.tenant_id = $1 and ($2::bigint is null or e.id < $2::bigint)
      order by e.id desc
      limit $3`,
    [tenantId, afterId === null ? null : String(afterId), first + 1],
  );
  const nodes = rows.slice(0, first).map((r) => ({
    id: r.id,
    userId: r.user_id,
    email: r.email,
    event: r.event,
    roleBefore: r.role_before,
    schoolUrnBefore: r.school_urn_before,
    roleAfter: r.role_after,
    schoolUrnAfter: r.school_urn_after,
    actorUserId: r.actor_user_id,
    actorEmail: r.actor_email,
    at: r.at,
  }));
  return {
    nodes,
    totalCount: rows[0]?.total ?? 0,
    pageInfo: {
      hasNextPage: rows.length > first,
      endCursor: nodes.length ? encodeCursor([nodes[nodes.length - 1].id]) : null,
    },
  };
}

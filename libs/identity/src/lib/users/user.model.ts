import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { ROLES, type Role } from '@schoolbench/tenancy';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as { [K in Role]: K };
registerEnumType(RoleEnum, { name: 'Role', description: 'What a user may do (SPEC §2).' });

@ObjectType('User')
export class UserModel {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => Int, {
    nullable: true,
    description: 'The school a headteacher or governor is bound to.',
  })
  schoolUrn!: number | null;

  @Field({ description: 'False until an invited user has set a password.' })
  active!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

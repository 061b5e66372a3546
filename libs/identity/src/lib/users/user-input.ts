import { Field, ID, InputType, Int } from '@nestjs/graphql';

import type { Role } from '@schoolbench/tenancy';

import { RoleEnum } from './user.model';

@InputType()
export class InviteUserInput {
  @Field()
  email!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => Int, { nullable: true, description: 'Required for headteachers and governors.' })
  schoolUrn?: number | null;

  @Field(() => String, { nullable: true })
  displayName?: string | null;
}

@InputType()
export class CreateUserInput extends InviteUserInput {
  @Field({ description: 'At least 12 characters.' })
  password!: string;
}

@InputType()
export class ChangeUserRoleInput {
  @Field(() => ID, { description: 'A user of your authority.' })
  id!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => Int, {
    nullable: true,
    description: 'Required for headteachers and governors: a school in your register.',
  })
  schoolUrn?: number | null;
}

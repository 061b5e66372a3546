import { Field, ObjectType } from '@nestjs/graphql';

import { UserModel } from '../users/user.model';

@ObjectType('Me')
export class MeModel {
  @Field(() => UserModel)
  user!: UserModel;

  @Field({ description: '`password` for a signed-in user, `api_key` for a script.' })
  authenticatedWith!: string;

  /** Resolved into `tenant` by the tenants module. */
  tenantId!: string;
}

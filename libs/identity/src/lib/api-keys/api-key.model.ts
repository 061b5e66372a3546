import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

import type { Role } from '@schoolbench/tenancy';

import { RoleEnum } from '../users/user.model';

@ObjectType('ApiKey')
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The public part of the key, to recognise it in lists and logs.' })
  prefix!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey!: ApiKeyModel;

  @Field({ description: 'The whole key, shown only now. Send it as the X-API-Key header.' })
  secret!: string;
}

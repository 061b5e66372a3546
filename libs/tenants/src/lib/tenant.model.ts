import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from '@nestjs/graphql';

import { InvitationModel } from '@schoolbench/identity';

@ObjectType('Tenant')
export class TenantModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: '`authority`, `public` (DfE reference data) or `platform`.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'DfE LA code, e.g. 850.' })
  laCode!: string | null;

  @Field()
  name!: string;

  @Field()
  status!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@InputType()
export class OnboardTenantInput {
  @Field({ description: 'Three-digit DfE LA code, e.g. 936 for Surrey.' })
  laCode!: string;

  @Field()
  name!: string;

  @Field({ description: "The first LA admin's e-mail; they receive an invitation." })
  adminEmail!: string;
}

@ObjectType('OnboardedTenant')
export class OnboardedTenantModel {
  @Field(() => TenantModel)
  tenant!: TenantModel;

  @Field(() => InvitationModel)
  adminInvitation!: InvitationModel;
}

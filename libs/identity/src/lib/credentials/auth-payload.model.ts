import { Field, Int, ObjectType } from '@nestjs/graphql';

import { UserModel } from '../users/user.model';

@ObjectType('AuthPayload')
export class AuthPayloadModel {
  @Field({ description: 'Short-lived JWT; send as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field({ description: 'Use once with `refreshToken` to get a new pair; reuse signs you out.' })
  refreshToken!: string;

  @Field(() => UserModel)
  user!: UserModel;
}

@ObjectType('Invitation')
export class InvitationModel {
  @Field(() => UserModel)
  user!: UserModel;

  @Field({ description: 'Shown once. The invitee sets a password with `acceptInvitation`.' })
  invitationToken!: string;
}

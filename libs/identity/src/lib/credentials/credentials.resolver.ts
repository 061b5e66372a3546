import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import { unauthenticated } from '@schoolbench/graphql';
import { Public, ROLES, Roles, TenantContext } from '@schoolbench/tenancy';

import { toUserModel, UsersService } from '../users/users.service';
import { AuthPayloadModel } from './auth-payload.model';
import { CredentialsService } from './credentials.service';
import { LoginThrottleGuard } from './login-throttle.guard';
import { MeModel } from './me.model';

@Resolver()
export class CredentialsResolver {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly users: UsersService,
    private readonly context: TenantContext,
  ) {}

  @Public()
  @UseGuards(LoginThrottleGuard)
  @Mutation(() => AuthPayloadModel, { description: 'Sign in with e-mail and password.' })
  login(
    @Args('email') email: string,
    @Args('password') password: string,
    @Args('laCode', {
      type: () => String,
      nullable: true,
      description:
        'The authority to sign in to, needed only when the e-mail has an account with this password in several.',
    })
    laCode?: string | null,
  ): Promise<AuthPayloadModel> {
    return this.credentials.login(email, password, laCode);
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Exchange a refresh token for a new pair.' })
  refreshToken(@Args('refreshToken') refreshToken: string): Promise<AuthPayloadModel> {
    return this.credentials.refresh(refreshToken);
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Set a password with an invitation token.' })
  acceptInvitation(
    @Args('invitationToken') invitationToken: string,
    @Args('password') password: string,
  ): Promise<AuthPayloadModel> {
    return this.credentials.acceptInvitation(invitationToken, password);
  }

  @Roles(...ROLES)
  @Query(() => MeModel, { description: 'Who you are signed in as.' })
  async me(): Promise<MeModel> {
    const principal = this.context.principal();
    const user = await this.users.findById(principal.userId);
    if (!user) throw unauthenticated();
    return {
      user: toUserModel(user),
      authenticatedWith: principal.via,
      tenantId: principal.tenantId,
    };
  }
}

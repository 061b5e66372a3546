import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { ConnectionType, PageArgs, pageSize, type Connection } from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { InvitationModel } from '../credentials/auth-payload.model';
import { UserEventModel } from './user-events';
import { ChangeUserRoleInput, CreateUserInput, InviteUserInput } from './user-input';
import { UserModel } from './user.model';
import { Invitation, UsersService } from './users.service';

const UserConnection = ConnectionType(UserModel, 'UserConnection');
const UserEventConnection = ConnectionType(UserEventModel, 'UserEventConnection');

@Resolver(() => UserModel)
export class UsersResolver {
  constructor(
    private readonly service: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles('la_admin')
  @Query(() => UserConnection, { description: "Your authority's users." })
  users(@Args() page: PageArgs): Promise<Connection<UserModel>> {
    return this.service.list(pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE), page.after);
  }

  @Roles('la_admin')
  @Query(() => UserEventConnection, {
    description:
      "Who was given, changed or lost access to your authority's SchoolBench, by whom and when, newest first.",
  })
  userEvents(@Args() page: PageArgs): Promise<Connection<UserEventModel>> {
    return this.service.events(pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE), page.after);
  }

  @Roles('la_admin')
  @Mutation(() => UserModel, { description: 'Add a user with a password you give them.' })
  createUser(@Args('input') input: CreateUserInput): Promise<UserModel> {
    return this.service.create(input);
  }

  @Roles('la_admin')
  @Mutation(() => InvitationModel, { description: 'Add a user who sets their own password.' })
  inviteUser(@Args('input') input: InviteUserInput): Promise<Invitation> {
    return this.service.invite(input);
  }

  @Roles('la_admin')
  @Mutation(() => UserModel, {
    description:
      "Give a user of your authority another role. Not your own; the authority keeps an LA admin who has signed in. The user's API keys are revoked and their sessions end.",
  })
  changeUserRole(@Args('input') input: ChangeUserRoleInput): Promise<UserModel> {
    return this.service.changeRole(input);
  }

  @Roles('la_admin')
  @Mutation(() => Boolean, { description: 'Remove a user; their sessions and API keys end.' })
  deleteUser(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.service.remove(id);
  }
}

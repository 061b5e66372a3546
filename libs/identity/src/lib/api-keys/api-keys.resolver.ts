import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';

import type { Role } from '@schoolbench/tenancy';
import { Roles } from '@schoolbench/tenancy';

import { RoleEnum } from '../users/user.model';
import { ApiKeyModel, CreatedApiKeyModel } from './api-key.model';
import { ApiKeysService } from './api-keys.service';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly service: ApiKeysService) {}

  @Roles('la_admin', 'analyst')
  @Query(() => [ApiKeyModel], {
    description: 'API keys you may see (admins: all of the authority).',
  })
  apiKeys(): Promise<ApiKeyModel[]> {
    return this.service.list();
  }

  @Roles('la_admin', 'analyst')
  @Mutation(() => CreatedApiKeyModel)
  createApiKey(
    @Args('name') name: string,
    @Args('role', { type: () => RoleEnum, nullable: true }) role?: Role,
  ): Promise<CreatedApiKeyModel> {
    return this.service.create(name, role);
  }

  @Roles('la_admin', 'analyst')
  @Mutation(() => ApiKeyModel)
  revokeApiKey(@Args('id', { type: () => ID }) id: string): Promise<ApiKeyModel> {
    return this.service.revoke(id);
  }
}

import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { notFound } from '@schoolbench/graphql';
import { MeModel } from '@schoolbench/identity';
import { Roles } from '@schoolbench/tenancy';

import { OnboardedTenantModel, OnboardTenantInput, TenantModel } from './tenant.model';
import { TenantsService } from './tenants.service';

@Resolver(() => TenantModel)
export class TenantsResolver {
  constructor(private readonly service: TenantsService) {}

  @Roles('operator')
  @Query(() => [TenantModel], { description: 'Every tenant of the platform (operators).' })
  tenants(): Promise<TenantModel[]> {
    return this.service.list();
  }

  @Roles('operator')
  @Mutation(() => OnboardedTenantModel, {
    description: 'Add a partner authority as a tenant and invite its first LA admin.',
  })
  onboardTenant(@Args('input') input: OnboardTenantInput): Promise<OnboardedTenantModel> {
    return this.service.onboard(input);
  }
}

/** Adds `tenant` to `Me`, which the identity module defines. */
@Resolver(() => MeModel)
export class MeTenantResolver {
  constructor(private readonly tenants: TenantsService) {}

  @ResolveField(() => TenantModel)
  async tenant(@Parent() me: MeModel): Promise<TenantModel> {
    const tenant = await this.tenants.get(me.tenantId);
    if (!tenant) throw notFound('Your tenant');
    return tenant;
  }
}

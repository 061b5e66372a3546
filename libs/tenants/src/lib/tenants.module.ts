import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { IdentityModule } from '@schoolbench/identity';

import { TenantEntity } from './tenant.entity';
import { MeTenantResolver, TenantsResolver } from './tenants.resolver';
import { TenantsService } from './tenants.service';

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity]), IdentityModule],
  providers: [TenantsService, TenantsResolver, MeTenantResolver],
  exports: [TenantsService],
})
export class TenantsModule {}

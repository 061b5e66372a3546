export { TenantEntity, type TenantKind } from './lib/tenant.entity';
export { OnboardTenantInput, TenantModel } from './lib/tenant.model';
export { TenantsModule } from './lib/tenants.module';
export { TenantsService, toTenantModel } from './lib/tenants.service';
export { TenantExitModule } from './lib/exit/tenant-exit.module';
export {
  PLATFORM_ACTOR,
  TenantExitService,
  type TenantExit,
  type TenantExitStarted,
} from './lib/exit/tenant-exit.service';

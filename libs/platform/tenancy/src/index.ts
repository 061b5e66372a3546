export { ROLES, SCHOOL_ROLES, type Principal, type Role } from './lib/principal';
export { TenantContext, TenantContextMissingError } from './lib/tenant-context';
export { TenantTransactions } from './lib/tenant-transactions';
export { TenancyModule } from './lib/tenancy.module';
export { ACCESS_RULE, Public, Roles, type AccessRule } from './lib/access-rule.decorator';
export { configuredDistribution, tenantSettingSql } from './lib/tenant-setting';
export {
  preparedStatement,
  RequestScope,
  type RequestIsolation,
  type RequestScopeOptions,
  type ScopeOutcome,
} from './lib/request-scope';

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
export { RetentionJobsModule } from './lib/retention/retention-jobs.module';
export {
  RetentionService,
  type RemovedRows,
  type RetentionOutcome,
} from './lib/retention/retention.service';
export {
  TenantExportBuilderModule,
  TenantExportJobsModule,
  TenantExportRequestsModule,
  TenantExportsModule,
} from './lib/export/tenant-exports.module';
export {
  EXPORT_CHUNK_BYTES,
  TenantExportBuilder,
  type BuiltExport,
  type ExportTarget,
} from './lib/export/tenant-export-builder';
export {
  TenantExports,
  type ExportDownload,
  type TenantExportRecord,
} from './lib/export/tenant-exports.service';
export { exportFileName, TenantExportProcessor } from './lib/export/tenant-export.jobs';
export type { ManifestFile, TenantExportManifest } from './lib/export/tenant-export-archive';

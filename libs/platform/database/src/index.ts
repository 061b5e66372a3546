export { APP_ROLE, RETENTION_ROLE, OWNER_ROLE, SHARING_ROLE } from './lib/database-roles';
export {
  createDatabase,
  dropDatabase,
  ensureRoles,
  listDatabases,
  withDatabase,
} from './lib/database-provisioning';
export {
  CITUS_REFERENCE_TABLES,
  citusNodeUrls,
  createCitusDatabase,
  databaseDistribution,
  distributeSchema,
  dropCitusDatabase,
  type DatabaseDistribution,
  type DistributionReport,
} from './lib/citus-distribution';
export { citusConstraintName, citusInsertFromLocalTable } from './lib/citus/citus-imports';
export {
  moveShards,
  SHARD_TRANSFER_MODES,
  ShardMoveRefused,
  type ShardMoveOptions,
  type ShardMoveReport,
  type ShardTransferMode,
} from './lib/citus/citus-rebalance';
export { isDatabaseUnavailable } from './lib/database-availability';
export { dataSourceOptions, runMigrations } from './lib/data-source';
export { enableTenantIsolation } from './lib/migrations/1763820000000-foundation';
export { migrations } from './lib/migrations';
export { DatabaseModule } from './lib/database.module';
export {
  backupDatabase,
  BackupError,
  compareFingerprints,
  defaultPgTools,
  fingerprintsOf,
  manifestPathOf,
  readManifest,
  restoreDatabase,
  type BackupManifest,
  type PgTools,
  type RestoreResult,
} from './lib/database-backup';
export {
  publicTables,
  tableFingerprints,
  useCanonicalRowText,
  type TableFingerprint,
} from './lib/table-fingerprints';

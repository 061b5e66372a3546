export {
  errorCode,
  graphql,
  signIn,
  type Credentials,
  type GraphqlResponse,
} from './lib/api-harness';
export {
  createMigratedDatabase,
  attachTestDatabase,
  createTestDatabase,
  deleteRedisKeys,
  type TestDatabase,
} from './lib/test-database';
export {
  seedDataset,
  seedProtocol,
  seedTenant,
  snapshotDatabase,
  type SeededDataset,
  type SeededTenant,
  type SeededUser,
} from './lib/tenant-fixtures';
export { adminUrl, testRunId } from './lib/test-run';

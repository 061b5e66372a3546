export {
  ConnectionType,
  PageArgs,
  PageInfo,
  decodeCursor,
  encodeCursor,
  pageSize,
  selects,
  type Connection,
} from './lib/connection';
export {
  DomainError,
  ERROR_CODES,
  badInput,
  forbidden,
  notFound,
  unauthenticated,
  type ErrorCode,
} from './lib/domain-error';
export { DomainErrorFilter } from './lib/domain-error.filter';
export { formatGraphqlError } from './lib/error-formatting';
export { GraphqlApiModule, type GraphqlRequestContext } from './lib/graphql-api.module';
export { RequestLoaders } from './lib/request-loaders';
export { RETRY_AFTER_SECONDS, serviceUnavailable } from './lib/service-unavailable';
export { requestErrorOf } from './lib/request-errors';
export { selectedArguments } from './lib/selected-arguments';
export { nulBytePath, refuseHostileQueryParameters, refuseNulBytes } from './lib/request-text';

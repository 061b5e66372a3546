import { HttpException, Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';

import { DomainError, ERROR_CODES } from './domain-error';
import { requestErrorOf } from './request-errors';
import { serviceUnavailable } from './service-unavailable';

const KNOWN = new Set<string>(ERROR_CODES);
const logger = new Logger('GraphQL');

/** Apollo's own codes for documents that never reach a resolver. */
const REQUEST_ERRORS: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  // Apollo's answer to a malformed HTTP envelope (no query, variables not an object, a batch).
  BAD_REQUEST: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
};

function httpCode(status: number): string | undefined {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 400) return 'BAD_USER_INPUT';
  return undefined;
}

/**
 * The one mapping from thrown errors to GraphQL errors: domain errors keep their code and message;
 * request errors become BAD_USER_INPUT; an unreachable database is SERVICE_UNAVAILABLE (HTTP 503,
 * see ServiceUnavailablePlugin); everything else is hidden behind INTERNAL_SERVER_ERROR.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const raw = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const original = requestErrorOf(raw) ?? raw;
  const path = formatted.path;
  if (original instanceof DomainError) {
    return {
      message: original.message,
      path,
      extensions: { code: original.code, ...original.details },
    };
  }
  const unavailable = serviceUnavailable(original);
  if (unavailable) {
    logger.warn(
      `Database unavailable at ${path?.join('.') ?? 'request'}: ${original instanceof Error ? original.message : String(original)}`,
    );
    return {
      message: unavailable.message,
      path,
      extensions: { code: unavailable.code, ...unavailable.details },
    };
  }
  if (original instanceof HttpException) {
    const code = httpCode(original.getStatus());
    if (code) return { message: original.message, path, extensions: { code } };
  }
  const code = formatted.extensions?.code;
  const apolloCode = typeof code === 'string' ? code : '';
  if (REQUEST_ERRORS[apolloCode]) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      extensions: {
        code: REQUEST_ERRORS[apolloCode],
        reason: formatted.extensions?.reason ?? apolloCode,
      },
    };
  }
  if (KNOWN.has(apolloCode)) {
    return { message: formatted.message, path, extensions: { code: apolloCode } };
  }
  logger.error(
    `Unexpected error at ${path?.join('.') ?? 'request'}: ${original instanceof Error ? original.message : String(original)}`,
    original instanceof Error ? original.stack : undefined,
  );
  return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

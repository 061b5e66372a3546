import { isDatabaseUnavailable } from '@schoolbench/database';

import { DomainError } from './domain-error';

/** What the API tells a client to wait before retrying when the database is unreachable. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The database unreachable (stopped, restarting, failing over) is neither the client's fault nor
 * a bug: it is answered `SERVICE_UNAVAILABLE`, HTTP 503 with `Retry-After`, so that clients retry
 * the same request with the same credentials. Undefined for any other error.
 */
export function serviceUnavailable(error: unknown): DomainError | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return new DomainError(
    'SERVICE_UNAVAILABLE',
    `The service cannot reach its database for a moment: retry in ${RETRY_AFTER_SECONDS} s`,
    { retryAfterSeconds: RETRY_AFTER_SECONDS },
  );
}

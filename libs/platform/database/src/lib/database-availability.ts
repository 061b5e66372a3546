/**
 * Whether an error means "PostgreSQL cannot be reached right now" (stopped, restarting, crashed,
 * out of connection slots, the network between) rather than anything about the request. Such an
 * error is transient: the API answers it with a retryable 503 and jobs wait for the database
 * instead of spending their attempts (docs/operations.md, "Faults").
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // TypeORM wraps the driver's error (`driverError`), Node a cause (`cause`), graphql-js a thrown
  // value that is not an Error of its realm (`thrownValue`).
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e);
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) {
      return true;
    }
    if (typeof message === 'string' && CONNECTION_LOST.test(message)) return true;
    // TypeORM releases a query runner whose connection broke under it (the server stopped
    // mid-transaction); the transaction's next statement, or its COMMIT, then says so.
    if (RELEASED.has(String((e as { name?: unknown }).name))) return true;
    const next = e as { driverError?: unknown; cause?: unknown; thrownValue?: unknown };
    e = next.driverError ?? next.cause ?? next.thrownValue;
  }
  return false;
}

/** Socket errors of a connection attempt or of a connection that broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01 admin_shutdown
 * (a fast or immediate stop), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or
 * shutting down), 53300 too_many_connections.
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

const RELEASED = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/** What node-postgres says, without a code, when the server goes away under a client. */
const CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)/;

import { DomainError } from './domain-error';

/** What PostgreSQL (via node-postgres and TypeORM) reports: a SQLSTATE in `code`. */
interface DatabaseError {
  code?: unknown;
  message?: unknown;
  driverError?: { code?: unknown; message?: unknown };
}

function sqlState(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as DatabaseError;
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Errors the database raises because of a value the caller sent: SQLSTATE class 22 ("data
 * exception": a string that is not a uuid or a number, a NUL byte, a value out of range, a date
 * that does not exist...). They reach the database only where the boundary let a bad value
 * through, and are the caller's error all the same: BAD_USER_INPUT, never a 500.
 *
 * And a statement cancelled by `statement_timeout` (57014): the request asked for more work than
 * one request may do (DATABASE_STATEMENT_TIMEOUT_MS). Also the caller's to change, so also
 * BAD_USER_INPUT, with `reason: STATEMENT_TIMEOUT`.
 */
export function requestErrorOf(error: unknown): DomainError | undefined {
  const state = sqlState(error);
  if (!state) return undefined;
  if (state.startsWith('22')) {
    const e = error as DatabaseError;
    const message = e.driverError?.message ?? e.message;
    // The caller's own value is quoted back; control characters such as NUL are masked.
    const detail = (typeof message === 'string' ? message : 'invalid value')
      .replace(/\p{Cc}/gu, '?')
      .slice(0, 200);
    return new DomainError('BAD_USER_INPUT', `A value in this request is not valid: ${detail}`, {
      reason: 'INVALID_VALUE',
    });
  }
  if (state === '57014') {
    return new DomainError(
      'BAD_USER_INPUT',
      'This request needed more time than one database statement may take: ask for less (fewer fields, smaller pages, narrower filters)',
      { reason: 'STATEMENT_TIMEOUT' },
    );
  }
  return undefined;
}

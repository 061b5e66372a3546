import { GraphQLError, parse } from 'graphql';

import { formatGraphqlError } from './error-formatting';
import { requestErrorOf } from './request-errors';
import { nulBytePath, refuseNulBytes } from './request-text';

/** What TypeORM throws for a failed query: the driver's error, SQLSTATE in `code`. */
const queryFailed = (code: string, message: string) =>
  Object.assign(new Error(message), { code, driverError: { code, message } });

describe('errors caused by the caller’s values', () => {
  it('maps PostgreSQL data exceptions to BAD_USER_INPUT, masking control characters', () => {
    const error = queryFailed('22P02', 'invalid input syntax for type uuid: "x\u0000"');
    expect(requestErrorOf(error)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'A value in this request is not valid: invalid input syntax for type uuid: "x?"',
      details: { reason: 'INVALID_VALUE' },
    });
    const wrapped = new GraphQLError('x', { originalError: error, path: ['dataset'] });
    expect(formatGraphqlError({ message: 'x', path: ['dataset'] }, wrapped).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_VALUE',
    });
  });

  it('maps a statement cancelled by the timeout to BAD_USER_INPUT, and leaves other errors alone', () => {
    expect(requestErrorOf(queryFailed('57014', 'canceling statement'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { reason: 'STATEMENT_TIMEOUT' },
    });
    expect(requestErrorOf(queryFailed('23505', 'duplicate key'))).toBeUndefined();
    expect(requestErrorOf(queryFailed('08006', 'connection failure'))).toBeUndefined();
    expect(requestErrorOf(new Error('boom'))).toBeUndefined();
  });

  it('finds NUL characters in variables and string literals, and says where', () => {
    expect(nulBytePath({ input: { names: ['ok', 'b\u0000d'] } })).toBe('input.names[1]');
    expect(nulBytePath({ fine: 'yes', n: 3 })).toBeUndefined();
    expect(refuseNulBytes(parse('{ a }'), { x: 'a\u0000' })?.message).toMatch(/Variable x/);
    expect(refuseNulBytes(parse('{ a(s: "\\u0000") }'), {})?.code).toBe('BAD_USER_INPUT');
    expect(refuseNulBytes(parse('{ a(s: "fine") }'), { y: 'fine' })).toBeUndefined();
  });
});

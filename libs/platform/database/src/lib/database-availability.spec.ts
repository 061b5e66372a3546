import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';

import { isDatabaseUnavailable } from './database-availability';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a fast shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a server shutting down', withCode('the database system is shutting down', '57P03')],
    ['no connection slots left', withCode('sorry, too many clients already', '53300')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    [
      'a broken client reused',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'a connect timeout with its cause',
      new Error('Connection terminated due to connection timeout', { cause: new Error('x') }),
    ],
    ['a transaction whose connection broke', new QueryRunnerAlreadyReleasedError()],
    ['a manager whose connection broke', new QueryRunnerProviderAlreadyReleasedError()],
    [
      'the same wrapped by TypeORM',
      new QueryFailedError('select 1', [], withCode('terminating connection', '57P01')),
    ],
  ])('is true for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('insert', [], withCode('duplicate key', '23505'))],
    ['invalid text for a uuid', withCode('invalid input syntax for type uuid', '22P02')],
    ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a row-level security refusal', withCode('new row violates row-level security', '42501')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

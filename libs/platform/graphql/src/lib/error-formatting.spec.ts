import { ForbiddenException, HttpException } from '@nestjs/common';
import { GraphQLError } from 'graphql';

import { badInput } from './domain-error';
import { formatGraphqlError } from './error-formatting';

const wrap = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['x'] });

describe('GraphQL error formatting', () => {
  it('keeps a domain error’s code, message and details', () => {
    const error = wrap(badInput('URN 12 is not six digits', { field: 'urn' }));
    expect(formatGraphqlError({ message: error.message, path: ['x'] }, error)).toEqual({
      message: 'URN 12 is not six digits',
      path: ['x'],
      extensions: { code: 'BAD_USER_INPUT', field: 'urn' },
    });
  });

  it('maps HTTP exceptions (guards, throttling) to codes', () => {
    expect(formatGraphqlError({ message: 'x' }, wrap(new ForbiddenException())).extensions).toEqual(
      { code: 'FORBIDDEN' },
    );
    expect(
      formatGraphqlError({ message: 'x' }, wrap(new HttpException('slow down', 429))).extensions,
    ).toEqual({
      code: 'RATE_LIMITED',
    });
  });

  it('answers an unreachable database SERVICE_UNAVAILABLE with a retry delay, any other error INTERNAL_SERVER_ERROR', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(formatGraphqlError({ message: 'x', path: ['x'] }, wrap(refused))).toEqual({
      message: expect.stringMatching(/cannot reach its database/),
      path: ['x'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 },
    });
    const bug = Object.assign(new Error('duplicate key value'), { code: '23505' });
    expect(formatGraphqlError({ message: 'x' }, wrap(bug)).extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
    });
  });

  it('turns parse and validation failures into BAD_USER_INPUT', () => {
    const formatted = formatGraphqlError(
      { message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
      new Error(),
    );
    expect(formatted.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'GRAPHQL_PARSE_FAILED',
    });
  });

  it('hides everything else behind INTERNAL_SERVER_ERROR', () => {
    const formatted = formatGraphqlError(
      { message: 'relation "x" does not exist', path: ['x'] },
      wrap(new Error('relation "x" does not exist')),
    );
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['x'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});

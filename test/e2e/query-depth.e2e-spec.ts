import { errorCode, graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

describe('query depth limit', () => {
  let api: ApiUnderTest;

  // The schema has no recursive types yet, so a low limit is what makes a query "too deep" here.
  beforeAll(async () => {
    api = await startApiUnderTest({ GRAPHQL_MAX_DEPTH: '2' });
  });
  afterAll(() => api.close());

  it('rejects an over-deep query with BAD_USER_INPUT before any resolver runs, and allows shallow ones', async () => {
    const token = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
    expect(
      (await graphql(api.app, '{ schools { totalCount } }', {}, { token })).errors,
    ).toBeUndefined();
    const deep = await graphql(api.app, '{ me { user { id } } }', {}, { token });
    expect(errorCode(deep)).toBe('BAD_USER_INPUT');
    expect(deep.errors![0].message).toMatch(/nested too deeply; the limit is 2/);
    expect(deep.data).toBeNull();
    const viaFragment = await graphql(
      api.app,
      '{ me { ...F } } fragment F on Me { user { id } }',
      {},
      { token },
    );
    expect(errorCode(viaFragment)).toBe('BAD_USER_INPUT');
  });
});

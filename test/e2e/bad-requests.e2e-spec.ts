import request from 'supertest';

import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

describe('bad requests get the right code, a clear message, and write nothing', () => {
  let api: ApiUnderTest;
  let analyst: string;
  let before: Awaited<ReturnType<typeof snapshotDatabase>>;

  beforeAll(async () => {
    api = await startApiUnderTest({
      GRAPHQL_MAX_DEPTH: '6',
      GRAPHQL_MAX_COMPLEXITY: '500',
      GRAPHQL_MAX_PAGE_SIZE: '50',
    });
    analyst = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
  });
  beforeEach(async () => {
    before = await snapshotDatabase(api.db, [
      'users',
      'schools',
      'api_keys',
      'tenants',
      'login_directory',
    ]);
  });
  afterEach(async () => {
    expect(
      await snapshotDatabase(api.db, [
        'users',
        'schools',
        'api_keys',
        'tenants',
        'login_directory',
      ]),
    ).toEqual(before);
  });
  afterAll(() => api.close());

  it('malformed GraphQL → BAD_USER_INPUT', async () => {
    const res = await graphql(api.app, '{ schools { nodes { urn }', {}, { token: analyst });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/Syntax Error/);
  });

  it('unknown field → BAD_USER_INPUT naming it', async () => {
    const res = await graphql(
      api.app,
      '{ schools { nodes { secretColumn } } }',
      {},
      { token: analyst },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/secretColumn/);
  });

  it('too complex query → BAD_USER_INPUT naming the limit', async () => {
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `s${i}: schools(first: 50) { nodes { urn name } }`,
    ).join(' ');
    const res = await graphql(api.app, `{ ${aliases} }`, {}, { token: analyst });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/too complex .* limit is 500/);
  });

  it('page size above the cap → BAD_USER_INPUT', async () => {
    const res = await graphql(
      api.app,
      '{ schools(first: 51) { totalCount } }',
      {},
      { token: analyst },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/between 1 and 50/);
    const cursor = await graphql(
      api.app,
      '{ schools(after: "garbage") { totalCount } }',
      {},
      { token: analyst },
    );
    expect(cursor.errors![0].message).toMatch(/cursor/);
    // Well-formed cursors that name no URN: refused as input, not passed to the database.
    for (const keys of [['116001'], [1.5]]) {
      const forged = Buffer.from(JSON.stringify(keys)).toString('base64url');
      const res = await graphql(
        api.app,
        'query($after: String) { schools(after: $after) { nodes { urn } } }',
        { after: forged },
        { token: analyst },
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/`after` cursor is not one this API issued/);
    }
  });

  it('a headteacher calling an LA-admin mutation → FORBIDDEN', async () => {
    const head = await signIn(
      api.app,
      api.a.users.headteacher!.email,
      api.a.users.headteacher!.password,
    );
    const res = await graphql(
      api.app,
      'mutation { createUser(input: { email: "h@example.test", password: "long enough password", role: analyst }) { id } }',
      {},
      { token: head },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/la_admin.*you are headteacher/);
  });

  it('an analyst of A cannot create a user, in A or anywhere else; an admin of A only in A', async () => {
    const res = await graphql(
      api.app,
      'mutation { createUser(input: { email: "x@example.test", password: "long enough password", role: analyst }) { id } }',
      {},
      { token: analyst },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    // There is no tenant argument to abuse: the tenant comes from the token. A school of B is unknown to A.
    const admin = await signIn(
      api.app,
      api.a.users.la_admin!.email,
      api.a.users.la_admin!.password,
    );
    const cross = await graphql(
      api.app,
      'mutation { createUser(input: { email: "y@example.test", password: "long enough password", role: headteacher, schoolUrn: 121901 }) { id } }',
      {},
      { token: admin },
    );
    expect(errorCode(cross)).toBe('BAD_USER_INPUT');
    expect(cross.errors![0].message).toMatch(/not in your authority's register/);
  });

  it.each([
    [{ email: 'short@example.test', password: 'short', role: 'analyst' }, /at least 12/],
    [
      { email: 'gov@example.test', password: 'long enough password', role: 'governor' },
      /must be bound to a school/,
    ],
    [
      {
        email: 'an@example.test',
        password: 'long enough password',
        role: 'analyst',
        schoolUrn: 116001,
      },
      /Only headteachers and governors/,
    ],
    [
      { email: 'op@example.test', password: 'long enough password', role: 'operator' },
      /Operators are created by the platform/,
    ],
  ])('bad user input %j', async (input, message) => {
    const admin = await signIn(
      api.app,
      api.a.users.la_admin!.email,
      api.a.users.la_admin!.password,
    );
    const res = await graphql(
      api.app,
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: input },
      { token: admin },
    );
    expect(['BAD_USER_INPUT', 'FORBIDDEN']).toContain(errorCode(res));
    expect(res.errors![0].message).toMatch(message);
  });

  it('no credentials → UNAUTHENTICATED on GraphQL and on REST-less routes stays open only for health', async () => {
    expect(errorCode(await graphql(api.app, '{ me { user { id } } }'))).toBe('UNAUTHENTICATED');
    await request(api.app.getHttpServer()).get('/health/live').expect(200);
  });
});

import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const SCHOOLS = `query($first: Int, $after: String, $source: SchoolSource, $phase: String, $search: String) {
  schools(first: $first, after: $after, source: $source, phase: $phase, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } nodes { urn name phase laCode }
  }
}`;
const CREATE = `mutation($i: CreateSchoolInput!) { createSchool(input: $i) { urn name laCode } }`;

describe('schools', () => {
  let api: ApiUnderTest;
  let analyst: string;
  let admin: string;
  let head: string;

  beforeAll(async () => {
    api = await startApiUnderTest();
    analyst = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
    admin = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
    head = await signIn(api.app, api.a.users.headteacher!.email, api.a.users.headteacher!.password);
  });
  afterAll(() => api.close());

  it("lists only the analyst's own authority's schools, page by page", async () => {
    const page1 = await graphql(api.app, SCHOOLS, { first: 2 }, { token: analyst });
    expect(page1.data!.schools).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(page1.data!.schools.nodes.map((s: { urn: number }) => s.urn)).toEqual([116001, 116002]);
    const page2 = await graphql(
      api.app,
      SCHOOLS,
      { first: 2, after: page1.data!.schools.pageInfo.endCursor },
      { token: analyst },
    );
    expect(page2.data!.schools.nodes.map((s: { urn: number }) => s.urn)).toEqual([116003]);
    expect(page2.data!.schools.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by phase and searches by name, case-insensitively', async () => {
    const res = await graphql(api.app, SCHOOLS, { phase: 'Secondary' }, { token: analyst });
    expect(res.data!.schools.nodes.map((s: { name: string }) => s.name)).toEqual([
      'Cedar Secondary A',
    ]);
    const search = await graphql(api.app, SCHOOLS, { search: 'WOOD' }, { token: analyst });
    expect(search.data!.schools.totalCount).toBe(2);
    const literal = await graphql(api.app, SCHOOLS, { search: '%' }, { token: analyst });
    expect(literal.data!.schools.totalCount).toBe(0);
  });

  it('reads the public reference schools on request, and one school by URN', async () => {
    const res = await graphql(api.app, SCHOOLS, { source: 'REFERENCE' }, { token: analyst });
    expect(res.data!.schools.nodes.map((s: { urn: number }) => s.urn)).toEqual([100000]);
    const one = await graphql(api.app, '{ school(urn: 100000) { name } }', {}, { token: analyst });
    expect(one.data!.school.name).toMatch(/public reference/);
    const missing = await graphql(
      api.app,
      '{ school(urn: 121901) { name } }',
      {},
      { token: analyst },
    );
    expect(errorCode(missing)).toBe('NOT_FOUND');
  });

  it('gives an own school without a recorded phase the phase of DfE’s public register', async () => {
    // An authority that loaded only results files has no phase for its schools.
    await api.db.query(
      `insert into schools (tenant_id, urn, name, phase, la_code) values
         ($1, 116098, 'Results-only Primary', null, '850'),
         ((select id from tenants where kind = 'public'), 116098, 'Results-only Primary', 'primary', '850')`,
      [api.a.id],
    );
    const one = await graphql(
      api.app,
      '{ school(urn: 116098) { name phase laCode } }',
      {},
      { token: analyst },
    );
    expect(one.data!.school).toEqual({
      name: 'Results-only Primary',
      phase: 'primary',
      laCode: '850',
    });
  });

  it('shows a headteacher their own school only', async () => {
    const list = await graphql(api.app, SCHOOLS, {}, { token: head });
    expect(list.data!.schools.nodes.map((s: { urn: number }) => s.urn)).toEqual([116001]);
    const own = await graphql(api.app, '{ school(urn: 116001) { urn } }', {}, { token: head });
    expect(own.data!.school.urn).toBe(116001);
    const other = await graphql(api.app, '{ school(urn: 116002) { urn } }', {}, { token: head });
    expect(errorCode(other)).toBe('FORBIDDEN');
  });

  it('creates a school in the admin’s own authority', async () => {
    const res = await graphql(
      api.app,
      CREATE,
      { i: { urn: 116099, name: 'New Primary', laCode: '850' } },
      { token: admin },
    );
    expect(res.data!.createSchool).toEqual({ urn: 116099, name: 'New Primary', laCode: '850' });
  });

  it.each([
    [{ urn: 12, name: 'Too short URN' }, /six-digit/, 'urn'],
    [{ urn: 116100, name: '   ' }, /1 to 300 characters/, 'name'],
    [{ urn: 116101, name: 'Other LA', laCode: '815' }, /your authority is LA 850/, 'laCode'],
    [{ urn: 116102, name: 'Bad LA', laCode: '85' }, /three-digit/, 'laCode'],
    [{ urn: 116103, name: 'Bad date', openedOn: '2019-13-45' }, /not a date/, 'openedOn'],
    [{ urn: 116001, name: 'Duplicate' }, /already in your register/, 'urn'],
  ])(
    'refuses bad school input %j with a clear error and writes nothing',
    async (input, message, field) => {
      const before = await snapshotDatabase(api.db, ['schools']);
      const res = await graphql(api.app, CREATE, { i: input }, { token: admin });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(message);
      expect(res.errors![0].extensions!.field).toBe(field);
      expect(await snapshotDatabase(api.db, ['schools'])).toEqual(before);
    },
  );

  it('refuses createSchool to every role but the LA admin', async () => {
    for (const role of ['analyst', 'headteacher', 'governor'] as const) {
      const user = api.a.users[role]!;
      const token = await signIn(api.app, user.email, user.password);
      const res = await graphql(api.app, CREATE, { i: { urn: 116200, name: 'x' } }, { token });
      expect({ role, code: errorCode(res) }).toEqual({ role, code: 'FORBIDDEN' });
    }
    expect(await api.db.query('select 1 from schools where urn = 116200')).toEqual([]);
  });
});

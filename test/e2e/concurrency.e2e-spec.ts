import { graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

describe('pooled connections under concurrent requests from two tenants', () => {
  let api: ApiUnderTest;

  // Two connections for sixty requests: every connection serves both tenants many times.
  beforeAll(async () => {
    api = await startApiUnderTest({ DATABASE_POOL_SIZE: '2' });
  });
  afterAll(() => api.close());

  it("never carries one request's tenant into another's", async () => {
    const tokenA = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
    const tokenB = await signIn(api.app, api.b.users.analyst!.email, api.b.users.analyst!.password);
    const urnsOf = (t: { schools: { urn: number }[] }) => t.schools.map((s) => s.urn).sort();
    const expected = { A: urnsOf(api.a), B: urnsOf(api.b) };
    const query = '{ me { tenant { laCode } } schools(first: 50) { nodes { urn } } }';
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const who = i % 2 === 0 ? 'A' : 'B';
        return graphql(api.app, query, {}, { token: who === 'A' ? tokenA : tokenB }).then(
          (res) => ({ who, res }),
        );
      }),
    );
    for (const { who, res } of results) {
      expect(res.errors).toBeUndefined();
      const urns = (res.data!.schools.nodes as { urn: number }[]).map((s) => s.urn).sort();
      expect({ who, laCode: res.data!.me.tenant.laCode, urns }).toEqual({
        who,
        laCode: who === 'A' ? '850' : '815',
        urns: expected[who as 'A' | 'B'],
      });
    }
  });
});

import { AccessLog } from '@schoolbench/sharing';
import { graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/**
 * Found by the soak bench: a partner read racing a revocation. The read of a partner's schools
 * and the access-log entry for it are separate statements; under READ COMMITTED a revocation
 * committed between them left the read unlogged (no grant found any more) or refused the entry
 * (a 500). A read request now sees one snapshot: the read and its entry agree, and the next
 * request sees the revocation.
 */
describe('a partner read while its protocol is revoked', () => {
  let api: ApiUnderTest;
  const tokens: Record<string, string> = {};

  const gql = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token: tokens[who] });

  beforeAll(async () => {
    api = await startApiUnderTest();
    tokens.owner = await signIn(
      api.app,
      api.a.users.la_admin!.email,
      api.a.users.la_admin!.password,
    );
    tokens.partner = await signIn(
      api.app,
      api.b.users.la_admin!.email,
      api.b.users.la_admin!.password,
    );
    tokens.reader = await signIn(
      api.app,
      api.b.users.analyst!.email,
      api.b.users.analyst!.password,
    );
  });
  afterAll(() => api.close());

  it('logs the read it answered, and the next request sees nothing', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const created = await gql(
      'owner',
      'mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }',
      {
        input: {
          title: 'Secondary benchmarking',
          purpose: 'Benchmark secondary schools',
          partyLaCodes: ['815'],
          categories: ['attainment', 'context'],
          periodFrom: '2016/17',
          periodTo: '2018/19',
          phases: ['secondary'],
          disclosure: 'NAMED',
          validFrom: today,
          validTo: today,
        },
      },
    );
    const id: string = created.data!.createProtocol.id;
    await gql('owner', 'mutation($id: ID!) { proposeProtocol(id: $id) { id } }', { id });
    for (const who of ['owner', 'partner']) {
      await gql(who, 'mutation($id: ID!) { signProtocol(id: $id) { id } }', { id });
    }
    const partnerSchools = () =>
      gql('reader', '{ schools(source: PARTNERS, first: 10) { nodes { urn } } }');

    // Between the read and its entry, the owner revokes (committed in a request of its own).
    const accessLog = api.app.get(AccessLog);
    const record = accessLog.record.bind(accessLog);
    let revoked = false;
    accessLog.record = async (...args: Parameters<AccessLog['record']>) => {
      if (!revoked) {
        revoked = true;
        const res = await gql(
          'owner',
          'mutation($id: ID!) { revokeProtocol(id: $id) { status } }',
          {
            id,
          },
        );
        expect(res.data!.revokeProtocol.status).toBe('REVOKED');
      }
      return record(...args);
    };
    try {
      const during = await partnerSchools();
      expect(during.errors).toBeUndefined();
      expect(during.data!.schools.nodes).toEqual([{ urn: 116003 }]);
      expect(revoked).toBe(true);
    } finally {
      accessLog.record = record;
    }
    const entries = await api.db.query<{ urns: number[]; protocol_id: string }>(
      'select urns, protocol_id from access_log where reader_tenant_id = $1',
      [api.b.id],
    );
    expect(entries).toEqual([{ urns: [116003], protocol_id: id }]);

    const after = await partnerSchools();
    expect(after.data!.schools.nodes).toEqual([]);
  });
});

import { graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/**
 * Partners' targets and judgements (docs/targets.md §7): served through `School.targets` and
 * `School.judgements` exactly while a named protocol in force names the category, logged in the
 * owner's access log, and gone on the next request after an opt-out or a revocation.
 */
describe('targets and judgements shared under a protocol that names them', () => {
  let api: ApiUnderTest;
  const tokens: Record<string, string> = {};
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;

  const gql = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token: tokens[who] });

  const terms = (categories: string[], title: string) => ({
    title,
    purpose: 'Compare progress against targets with a neighbouring authority',
    partyLaCodes: ['815'],
    categories,
    periodFrom: '2017/18',
    periodTo: '2018/19',
    disclosure: 'NAMED',
    validFrom: today,
    validTo: nextYear,
  });

  /** Hampshire's analyst reads North Yorkshire's schools with their targets and judgements. */
  const partnerRecords = async () => {
    const res = await gql(
      'a.analyst',
      `{ schools(source: PARTNERS, first: 10) { nodes { urn
           targets { measure period kind value action pending actorRole }
           judgements { inspection { judgement date source } categorisation { judgement } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.schools.nodes as {
      urn: number;
      targets: { measure: string; period: string; value: number; pending: boolean }[];
      judgements: { inspection: { judgement: string } | null } | null;
    }[];
  };

  const agree = async (id: string) => {
    expect(
      (await gql('a.la_admin', `mutation { proposeProtocol(id: "${id}") { id } }`)).errors,
    ).toBeUndefined();
    for (const who of ['a.la_admin', 'b.la_admin']) {
      const signed = await gql(who, `mutation { signProtocol(id: "${id}") { status } }`);
      expect(signed.errors).toBeUndefined();
    }
  };

  const create = async (categories: string[], title: string) => {
    const created = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }`,
      { input: terms(categories, title) },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createProtocol.id as string;
    await agree(id);
    return id;
  };

  beforeAll(async () => {
    api = await startApiUnderTest();
    for (const [name, tenant] of [
      ['a', api.a],
      ['b', api.b],
    ] as const) {
      for (const role of ['la_admin', 'analyst'] as const) {
        const user = tenant.users[role]!;
        tokens[`${name}.${role}`] = await signIn(api.app, user.email, user.password);
      }
    }
    // North Yorkshire's own records: a target for each school (one outside the periods any
    // protocol names), an authority-wide one, and a judgement of one school.
    for (const [urn, period, value] of [
      [121901, '2018/19', 61],
      [121902, '2018/19', 47.5],
      [121902, '2015/16', 40],
      [null, '2018/19', 70],
    ] as const) {
      const set = await gql(
        'b.analyst',
        `mutation($input: SetTargetInput!) { setTarget(input: $input) { id } }`,
        {
          input: {
            urn,
            measure: urn === 121902 ? 'ks4_attainment8' : 'ks2_rwm_expected_pct',
            period,
            value,
          },
        },
      );
      expect(set.errors).toBeUndefined();
    }
    const judged = await gql(
      'b.la_admin',
      `mutation { recordJudgement(input: { urn: 121902, kind: INSPECTION, judgement: "Requires improvement",
          date: "2019-03-14", source: "Ofsted report 10094521" }) { id } }`,
    );
    expect(judged.errors).toBeUndefined();
  });

  afterAll(() => api?.close());

  let recordsProtocol: string;

  it('serves none under a protocol that shares measures only, and logs no record read', async () => {
    await create(['attainment'], 'Attainment only');
    const schools = await partnerRecords();
    expect(schools.map((s) => s.urn).sort()).toEqual([121901, 121902]);
    for (const s of schools) {
      expect(s.targets).toEqual([]);
      expect(s.judgements).toBeNull();
    }
    const log = await gql('b.la_admin', '{ accessLog(first: 50) { nodes { operation } } }');
    expect(
      log.data!.accessLog.nodes.filter((n: { operation: string }) =>
        /School\.(targets|judgements)/.test(n.operation),
      ),
    ).toEqual([]);
    // Nor does a partner read them from the tables directly.
    const direct = await api.db.asTenant(
      api.a.id,
      'select 1 from target_events union all select 1 from school_judgements',
    );
    expect(direct).toEqual([]);
  });

  it('serves them in the protocol’s periods once a protocol naming them is in force, logged', async () => {
    recordsProtocol = await create(['targets', 'judgements'], 'Targets and judgements');
    const schools = await partnerRecords();
    const yarm = schools.find((s) => s.urn === 121902)!;
    // 2015/16 is outside the protocol's periods.
    expect(yarm.targets).toEqual([
      {
        measure: 'ks4_attainment8',
        period: '201819',
        kind: 'TARGET',
        value: 47.5,
        action: 'set',
        pending: false,
        actorRole: 'analyst',
      },
    ]);
    expect(yarm.judgements!.inspection).toEqual({
      judgement: 'requires_improvement',
      date: '2019-03-14',
      source: 'Ofsted report 10094521',
    });
    expect(schools.find((s) => s.urn === 121901)!.targets.map((t) => t.value)).toEqual([61]);

    const log = await gql(
      'b.la_admin',
      '{ accessLog(first: 50) { nodes { readerLaCode protocolId operation urns measures rowCount } } }',
    );
    const entries = log.data!.accessLog.nodes.filter((n: { operation: string }) =>
      /School\.(targets|judgements)/.test(n.operation),
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        {
          readerLaCode: '850',
          protocolId: recordsProtocol,
          operation: 'School.targets',
          urns: [121901, 121902],
          measures: ['ks2_rwm_expected_pct', 'ks4_attainment8'],
          rowCount: 2,
        },
        {
          readerLaCode: '850',
          protocolId: recordsProtocol,
          operation: 'School.judgements',
          urns: [121902],
          measures: [],
          rowCount: 1,
        },
      ]),
    );
    expect(entries).toHaveLength(2);
    // The authority-wide target is in the partner's reach too (row-level security).
    const direct = await api.db.asTenant<{ urn: number | null }>(
      api.a.id,
      'select urn from target_events order by urn nulls first',
    );
    expect(direct.map((r) => r.urn)).toEqual([null, 121901, 121902]);
  });

  it('stops for an opted-out school and for everyone on revocation, on the next request', async () => {
    const optOut = await gql(
      'b.la_admin',
      `mutation($id: ID!) { optOutOfProtocol(protocolId: $id, urn: 121902) { id } }`,
      { id: recordsProtocol },
    );
    expect(optOut.errors).toBeUndefined();
    let schools = await partnerRecords();
    const yarm = schools.find((s) => s.urn === 121902)!;
    // Still a partner school through the measures protocol, but its records are withdrawn.
    expect(yarm.targets).toEqual([]);
    expect(yarm.judgements).toBeNull();
    expect(schools.find((s) => s.urn === 121901)!.targets).toHaveLength(1);

    const revoked = await gql(
      'a.la_admin',
      `mutation($id: ID!) { revokeProtocol(id: $id, reason: "Targets no longer shared") { status } }`,
      { id: recordsProtocol },
    );
    expect(revoked.data!.revokeProtocol.status).toBe('REVOKED');
    schools = await partnerRecords();
    expect(schools.flatMap((s) => s.targets)).toEqual([]);
    expect(schools.map((s) => s.judgements)).toEqual([null, null]);
    expect(
      await api.db.asTenant(
        api.a.id,
        'select 1 from target_events union all select 1 from school_judgements',
      ),
    ).toEqual([]);
  });
});

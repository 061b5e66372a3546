import { randomUUID } from 'node:crypto';
import request from 'supertest';

import {
  errorCode,
  graphql,
  seedDataset,
  seedTenant,
  signIn,
  snapshotDatabase,
  type SeededDataset,
  type SeededTenant,
} from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/**
 * SPEC §2 journeys 2 (a protocol is agreed) and 5 (a protocol is revoked), through GraphQL on a
 * real database: what partners see is decided by the grants the database compiles.
 */
describe('data-sharing protocols (journeys 2 and 5)', () => {
  let api: ApiUnderTest;
  let surrey: SeededTenant;
  let kent: SeededTenant;
  let bKs4: SeededDataset;
  const tokens: Record<string, string> = {};

  const PROTOCOL_FIELDS = `id status currentVersion versionInForce title
    parties { laCode signed } terms { measures phases disclosure smallCohortThreshold periodFrom periodTo }
    history { event version } optOuts { urn }`;
  const gql = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql(api.app, query, variables, { token: tokens[who] });
  const today = new Date().toISOString().slice(0, 10);
  const inTwoYears = `${Number(today.slice(0, 4)) + 2}${today.slice(4)}`;
  const terms = {
    title: 'Secondary benchmarking 2016–2019',
    purpose: 'Benchmark secondary schools against similar schools across the three authorities',
    partyLaCodes: ['815', '936'],
    categories: ['attainment', 'progress', 'context'],
    periodFrom: '2016/17',
    periodTo: '2018/19',
    phases: ['secondary'],
    disclosure: 'NAMED',
    smallCohortThreshold: 6,
    validFrom: today,
    validTo: inTwoYears,
  };

  const partnerObservations = async (who: string) => {
    const res = await gql(
      who,
      `{ observations(filter: { source: PARTNERS, measures: ["ks4_attainment8"] }, first: 100) {
           totalCount nodes { urn measure value } } }`,
    );
    expect(res.errors).toBeUndefined();
    return (res.data!.observations.nodes as { urn: number }[]).map((n) => n.urn).sort();
  };

  beforeAll(async () => {
    api = await startApiUnderTest();
    surrey = await seedTenant(api.db, {
      laCode: '936',
      name: 'Surrey',
      schools: [
        { urn: 125001, name: 'Epsom Downs Secondary C', phase: 'Secondary' },
        { urn: 125002, name: 'Guildford Opted Out Academy C', phase: 'Secondary' },
      ],
    });
    kent = await seedTenant(api.db, {
      laCode: '886',
      name: 'Kent',
      schools: [{ urn: 118001, name: 'Dover Outsider School D', phase: 'Secondary' }],
    });
    bKs4 = await seedDataset(api.db, api.b, {
      fileName: 'north-yorkshire-ks4.csv',
      measures: [{ code: 'ks4_attainment8', values: [44.5, 51.2] }],
    });
    // A cohort of 4 pupils: below the protocol's threshold of 6.
    await api.db.query(
      `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, numerator, denominator)
       values ($1, $2, 121902, 'ks4_progress8', 201819, 'Academic year', 'all', 0.73, null, 4)`,
      [api.b.id, bKs4.id],
    );
    await seedDataset(api.db, surrey, {
      fileName: 'surrey-ks4.csv',
      measures: [{ code: 'ks4_attainment8', values: [47.1, 39.9] }],
    });
    for (const [name, tenant] of [
      ['a', api.a],
      ['b', api.b],
      ['c', surrey],
      ['kent', kent],
    ] as const) {
      for (const role of ['la_admin', 'analyst', 'headteacher'] as const) {
        const user = tenant.users[role]!;
        tokens[`${name}.${role}`] = await signIn(api.app, user.email, user.password);
      }
    }
  });

  afterAll(() => api?.close());

  let protocolId: string;

  it('journey 2: proposed by Hampshire, active only once every party has signed', async () => {
    const created = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { ${PROTOCOL_FIELDS} } }`,
      { input: terms },
    );
    expect(created.errors).toBeUndefined();
    const protocol = created.data!.createProtocol;
    protocolId = protocol.id;
    expect(protocol.status).toBe('DRAFT');
    expect(protocol.parties.map((p: { laCode: string }) => p.laCode).sort()).toEqual([
      '815',
      '850',
      '936',
    ]);
    expect(protocol.terms.measures).toContain('ks4_attainment8');
    expect(protocol.terms.measures).toContain('pupils_on_roll');
    expect(protocol.terms.periodFrom).toBe('2016/17');

    // A draft is not signable, and nothing changes when the refusal is made.
    const before = await snapshotDatabase(api.db);
    const early = await gql('b.la_admin', `mutation($id: ID!) { signProtocol(id: $id) { id } }`, {
      id: protocolId,
    });
    expect(errorCode(early)).toBe('BAD_USER_INPUT');
    expect(early.errors![0].message).toMatch(/draft cannot be signed/);
    expect(await snapshotDatabase(api.db)).toEqual(before);

    const proposed = await gql(
      'a.la_admin',
      `mutation($id: ID!) { proposeProtocol(id: $id) { status } }`,
      { id: protocolId },
    );
    expect(proposed.data!.proposeProtocol.status).toBe('PROPOSED');

    // Only LA admins sign, and only for a party.
    const analyst = await gql('b.analyst', `mutation($id: ID!) { signProtocol(id: $id) { id } }`, {
      id: protocolId,
    });
    expect(errorCode(analyst)).toBe('FORBIDDEN');
    const outsider = await gql(
      'kent.la_admin',
      `mutation($id: ID!) { signProtocol(id: $id) { id } }`,
      { id: protocolId },
    );
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorCode(outsider));

    expect(await partnerObservations('a.analyst')).toEqual([]);
    for (const who of ['a.la_admin', 'b.la_admin']) {
      const signed = await gql(
        who,
        `mutation($id: ID!) { signProtocol(id: $id, version: 1) { status } }`,
        {
          id: protocolId,
        },
      );
      expect(signed.errors).toBeUndefined();
      expect(signed.data!.signProtocol.status).toBe('PROPOSED');
      // Two of three signatures share nothing yet.
      expect(await partnerObservations('a.analyst')).toEqual([]);
    }
    const twice = await gql('b.la_admin', `mutation($id: ID!) { signProtocol(id: $id) { id } }`, {
      id: protocolId,
    });
    expect(twice.errors![0].message).toMatch(/already signed/);

    const last = await gql(
      'c.la_admin',
      `mutation($id: ID!) { signProtocol(id: $id) { ${PROTOCOL_FIELDS} } }`,
      { id: protocolId },
    );
    expect(last.errors).toBeUndefined();
    expect(last.data!.signProtocol.status).toBe('ACTIVE');
    expect(last.data!.signProtocol.versionInForce).toBe(1);
    expect(last.data!.signProtocol.history.map((h: { event: string }) => h.event)).toEqual([
      'created',
      'proposed',
      'signed',
      'signed',
      'signed',
      'activated',
    ]);

    // Hampshire now sees its partners' secondary schools' KS4 results, and only those.
    expect(await partnerObservations('a.analyst')).toEqual([121902, 125001, 125002]);
    const school = await gql('a.analyst', '{ school(urn: 121902) { urn name } }');
    expect(school.data!.school).toEqual({ urn: 121902, name: 'Yarm Hidden Academy B' });
    const primary = await gql('a.analyst', '{ school(urn: 121901) { name } }');
    expect(errorCode(primary)).toBe('NOT_FOUND');
    // The small cohort is served as c: its value never leaves North Yorkshire.
    const small = await gql(
      'a.analyst',
      '{ observations(filter: { source: PARTNERS, measures: ["ks4_progress8"] }) { nodes { urn value suppression } } }',
    );
    expect(small.data!.observations.nodes).toEqual([
      { urn: 121902, value: null, suppression: 'c' },
    ]);
    expect(JSON.stringify(small.data)).not.toContain('0.73');
    const nested = await gql(
      'a.analyst',
      '{ school(urn: 121902) { observations(filter: { measures: ["ks4_progress8"] }) { value suppression } } }',
    );
    expect(nested.data!.school.observations).toEqual([{ value: null, suppression: 'c' }]);
    // KS2 is out of scope: the partner's primary data stays private.
    const ks2 = await gql(
      'a.analyst',
      '{ observations(filter: { source: PARTNERS, measures: ["ks2_rwm_expected_pct"] }) { totalCount } }',
    );
    expect(ks2.data!.observations.totalCount).toBe(0);
    // Kent is no party and sees nothing of anyone.
    expect(await partnerObservations('kent.analyst')).toEqual([]);
  });

  it('journey 2: one school opts out and is never shared under the protocol again', async () => {
    const notMine = await gql(
      'c.la_admin',
      `mutation($id: ID!) { optOutOfProtocol(protocolId: $id, urn: 121902) { id } }`,
      { id: protocolId },
    );
    expect(errorCode(notMine)).toBe('BAD_USER_INPUT');

    const optedOut = await gql(
      'c.la_admin',
      `mutation($id: ID!) { optOutOfProtocol(protocolId: $id, urn: 125002) { optOuts { urn } } }`,
      { id: protocolId },
    );
    expect(optedOut.errors).toBeUndefined();
    expect(optedOut.data!.optOutOfProtocol.optOuts).toEqual([{ urn: 125002 }]);
    expect(await partnerObservations('a.analyst')).toEqual([121902, 125001]);
    // Hampshire shared no KS4 data: North Yorkshire sees Surrey's remaining school only.
    expect(await partnerObservations('b.analyst')).toEqual([125001]);
  });

  it('records every cross-tenant read in the owner’s append-only access log', async () => {
    await partnerObservations('a.analyst');
    const log = await gql(
      'b.la_admin',
      `{ accessLog(first: 50) { totalCount nodes { readerLaCode protocolId protocolVersion operation urns measures rowCount } } }`,
    );
    expect(log.errors).toBeUndefined();
    const entries = log.data!.accessLog.nodes as {
      readerLaCode: string;
      operation: string;
      urns: number[];
      measures: string[];
    }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.urns.every((u) => u === 121902))).toBe(true);
    expect(entries).toContainEqual(
      expect.objectContaining({
        readerLaCode: '850',
        protocolId,
        protocolVersion: 1,
        operation: 'Query.observations',
        urns: [121902],
        measures: ['ks4_attainment8'],
        rowCount: 1,
      }),
    );
    expect(entries.map((e) => e.operation)).toContain('Query.school');
    // A party that is not the owner of the data sees nothing of another owner's log.
    const hampshireLog = await gql('a.la_admin', '{ accessLog { nodes { urns readerLaCode } } }');
    expect(
      (hampshireLog.data!.accessLog.nodes as { urns: number[] }[]).flatMap((n) => n.urns),
    ).not.toContain(121902);

    const csv = await request(api.app.getHttpServer())
      .get('/api/access-log.csv')
      .set('Authorization', `Bearer ${tokens['b.la_admin']}`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toBe(
      'at,reader_la_code,reader_name,reader_user_id,protocol_id,protocol_version,operation,urns,measures,row_count',
    );
    expect(csv.text).toContain(`850,Hampshire`);

    // Append only, in the database itself.
    for (const statement of ['update access_log set row_count = 0', 'delete from access_log']) {
      await expect(api.db.asTenant(api.b.id, statement)).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses lifecycle steps that are not allowed, changing nothing', async () => {
    const before = await snapshotDatabase(api.db);
    const cases: [string, string, RegExp][] = [
      ['b.la_admin', `revokeProtocol(id: "${protocolId}")`, /owns a protocol/],
      ['a.la_admin', `proposeProtocol(id: "${protocolId}")`, /Only a draft can be proposed/],
      ['a.la_admin', `signProtocol(id: "${protocolId}")`, /nothing waiting to be signed/],
      ['a.analyst', `suspendProtocol(id: "${protocolId}")`, /.+/],
      ['a.la_admin', `signProtocol(id: "${randomUUID()}")`, /not found/i],
      ['a.la_admin', 'signProtocol(id: "not-an-id")', /not a protocol id/],
    ];
    for (const [who, mutation, message] of cases) {
      const res = await gql(who, `mutation { ${mutation} { id } }`);
      expect(res.errors?.[0]?.message).toMatch(message);
    }
    const badTerms = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }`,
      {
        input: {
          ...terms,
          partyLaCodes: ['815'],
          categories: ['gossip'],
          periodFrom: '2019/18',
          disclosure: 'AGGREGATE',
          minGroupSize: 2,
        },
      },
    );
    expect(errorCode(badTerms)).toBe('BAD_USER_INPUT');
    expect(badTerms.errors![0].message).toMatch(/categories: "gossip"/);
    expect(badTerms.errors![0].message).toMatch(/minGroupSize/);
    const unknownParty = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }`,
      { input: { ...terms, partyLaCodes: ['999'] } },
    );
    expect(unknownParty.errors![0].message).toMatch(/LA code 999/);
    // An amendment with bad terms writes no new version.
    const badAmendment = await gql(
      'a.la_admin',
      `mutation($input: AmendProtocolInput!) { amendProtocol(input: $input) { id } }`,
      { input: { ...terms, id: protocolId, periodFrom: '2019', validTo: '2000-01-01' } },
    );
    expect(errorCode(badAmendment)).toBe('BAD_USER_INPUT');
    expect(badAmendment.errors![0].message).toMatch(/periodFrom: "2019" is not a year/);
    // Opting out a school of another authority, or twice, is refused.
    const foreignSchool = await gql(
      'c.la_admin',
      `mutation($id: ID!) { optOutOfProtocol(protocolId: $id, urn: 121902) { id } }`,
      { id: protocolId },
    );
    expect(foreignSchool.errors![0].message).toMatch(/not in your authority’s register/);
    const twice = await gql(
      'c.la_admin',
      `mutation($id: ID!) { optOutOfProtocol(protocolId: $id, urn: 125002) { id } }`,
      { id: protocolId },
    );
    expect(twice.errors![0].message).toMatch(/already opted out/);
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });

  it('journey 5: after revocation partners see none of its data on the next request, and results built on it are stale', async () => {
    // A finished comparison of Hampshire's that grouped its school with North Yorkshire's.
    const runId = randomUUID();
    await api.db.query(
      `insert into comparison_runs (tenant_id, id, method, method_version, parameters, dataset_versions,
         status, progress, result_key, finished_at)
       values ($1, $2, 'context-knn-v1', 1, $5, $3, 'completed', 100, $4, now())`,
      [
        api.a.id,
        runId,
        JSON.stringify([
          { tenantId: api.a.id, id: api.aData.id },
          { tenantId: api.b.id, id: bKs4.id },
        ]),
        randomUUID().replace(/-/g, '').padEnd(64, '0'),
        JSON.stringify({
          targetUrn: 116003,
          allSchools: false,
          phase: 'secondary',
          period: '201819',
          k: 2,
          outcomeMeasures: ['ks4_attainment8'],
          population: 'OWN_AND_REFERENCE',
        }),
      ],
    );
    await api.db.query(
      `insert into comparison_groups (tenant_id, run_id, urn, rank, neighbour_urn, neighbour_tenant_id, distance, feature_shares)
       values ($1, $2, 116003, 1, 121902, $3, 0.5, '{}'), ($1, $2, 116003, 2, 125001, $4, 0.7, '{}')`,
      [api.a.id, runId, api.b.id, surrey.id],
    );
    const runQuery = `query($id: ID!) { comparisonRun(id: $id) { status groups { urn members { urn } } } }`;
    const before = await gql('a.analyst', runQuery, { id: runId });
    expect(before.errors).toBeUndefined();
    expect(JSON.stringify(before.data)).toContain('121902');
    // Naming a partner's school in a group is a cross-tenant read too.
    const logged = await gql(
      'b.la_admin',
      '{ accessLog(first: 100) { nodes { operation urns } } }',
    );
    expect(logged.data!.accessLog.nodes).toContainEqual({
      operation: 'ComparisonRun.groups',
      urns: [121902],
    });

    const revoked = await gql(
      'a.la_admin',
      `mutation($id: ID!) { revokeProtocol(id: $id, reason: "Agreement ended by the board") { status history { event } } }`,
      { id: protocolId },
    );
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeProtocol.status).toBe('REVOKED');

    // Every query path, on the very next request.
    expect(await partnerObservations('a.analyst')).toEqual([]);
    expect(await partnerObservations('b.analyst')).toEqual([]);
    expect(errorCode(await gql('a.analyst', '{ school(urn: 121902) { name } }'))).toBe('NOT_FOUND');
    const partners = await gql('a.analyst', '{ schools(source: PARTNERS) { totalCount } }');
    expect(partners.data!.schools.totalCount).toBe(0);
    const after = await gql('a.analyst', runQuery, { id: runId });
    expect(after.errors?.[0]?.message).toMatch(/stale/);
    expect(JSON.stringify(after.data ?? {})).not.toContain('121902');
    const [stale] = await api.db.query<{ stale: boolean }>(
      'select stale from comparison_runs where id = $1',
      [runId],
    );
    expect(stale.stale).toBe(true);
    // Even read directly, the database no longer serves the partner neighbour.
    const rows = await api.db.asTenant<{ neighbour_urn: number }>(
      api.a.id,
      'select neighbour_urn from comparison_groups',
    );
    expect(rows.map((r) => r.neighbour_urn)).toEqual([]);

    const again = await gql('a.la_admin', `mutation($id: ID!) { signProtocol(id: $id) { id } }`, {
      id: protocolId,
    });
    expect(again.errors![0].message).toMatch(/revoked/);
  });

  it('amends as a new version every party signs again, the signed version staying in force until then', async () => {
    const created = await gql(
      'a.la_admin',
      `mutation($input: ProtocolTermsInput!) { createProtocol(input: $input) { id } }`,
      { input: { ...terms, partyLaCodes: ['815'] } },
    );
    const id = created.data!.createProtocol.id as string;
    await gql('a.la_admin', `mutation($id: ID!) { proposeProtocol(id: $id) { id } }`, { id });
    for (const who of ['a.la_admin', 'b.la_admin']) {
      await gql(who, `mutation($id: ID!) { signProtocol(id: $id) { id } }`, { id });
    }
    expect(await partnerObservations('a.analyst')).toEqual([121902]);

    const amended = await gql(
      'a.la_admin',
      `mutation($input: AmendProtocolInput!) { amendProtocol(input: $input) { ${PROTOCOL_FIELDS} versions { version measures signatures { tenantId } } } }`,
      { input: { ...terms, id, partyLaCodes: ['815'], categories: ['context'] } },
    );
    expect(amended.errors).toBeUndefined();
    const protocol = amended.data!.amendProtocol;
    expect(protocol).toMatchObject({ status: 'ACTIVE', currentVersion: 2, versionInForce: 1 });
    expect(protocol.terms.measures).not.toContain('ks4_attainment8');
    expect(protocol.versions.map((v: { signatures: unknown[] }) => v.signatures.length)).toEqual([
      2, 0,
    ]);
    // Version 1 stays in force while version 2 waits for signatures.
    expect(await partnerObservations('a.analyst')).toEqual([121902]);

    const stale = await gql(
      'b.la_admin',
      `mutation($id: ID!) { signProtocol(id: $id, version: 1) { id } }`,
      {
        id,
      },
    );
    expect(stale.errors![0].message).toMatch(/Version 1 is not the current version/);
    for (const who of ['a.la_admin', 'b.la_admin']) {
      const signed = await gql(
        who,
        `mutation($id: ID!) { signProtocol(id: $id, version: 2) { versionInForce } }`,
        {
          id,
        },
      );
      expect(signed.errors).toBeUndefined();
    }
    const now = await gql(
      'a.analyst',
      `query($id: ID!) { protocol(id: $id) { versionInForce history { event version } } }`,
      {
        id,
      },
    );
    expect(now.data!.protocol.versionInForce).toBe(2);
    expect(now.data!.protocol.history.map((h: { event: string }) => h.event)).toEqual([
      'created',
      'proposed',
      'signed',
      'signed',
      'activated',
      'amended',
      'signed',
      'signed',
      'activated',
    ]);
    // KS4 results are out of the amended scope: no longer shared.
    expect(await partnerObservations('a.analyst')).toEqual([]);
  });
  it('lists each protocol with its own versions, signatures, history and parties, as one protocol reads', async () => {
    const fields = `${PROTOCOL_FIELDS} ownerTenantId versions { version measures signatures { tenantId userId } }`;
    for (const who of ['a.la_admin', 'b.analyst', 'c.la_admin']) {
      const listed = await gql(who, `{ protocols { ${fields} } }`);
      expect(listed.errors).toBeUndefined();
      const protocols = listed.data!.protocols as { id: string }[];
      // Hampshire owns the three protocols of this file; North Yorkshire and Surrey are parties.
      expect(protocols.length).toBeGreaterThanOrEqual(who === 'c.la_admin' ? 1 : 2);
      for (const listedProtocol of protocols) {
        const one = await gql(who, `query($id: ID!) { protocol(id: $id) { ${fields} } }`, {
          id: listedProtocol.id,
        });
        expect(one.errors).toBeUndefined();
        expect(listedProtocol).toEqual(one.data!.protocol);
      }
    }
  });
});

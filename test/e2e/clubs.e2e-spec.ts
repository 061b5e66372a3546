import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';

import { tenantSettingSql } from '@schoolbench/tenancy';
import {
  createTestDatabase,
  errorCode,
  graphql,
  seedTenant,
  signIn,
  snapshotDatabase,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The app under test is the API itself; e2e tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';

/**
 * Clubs (SPEC §7, issue 4 item 5) end to end: Hampshire runs clubs under protocols with North
 * Yorkshire and Surrey; Wokingham is not a party. Protocols are made and signed straight through
 * the app role and the signing function, so this file depends on nothing but the database.
 */

const MEASURE = 'ks4_attainment8';
const PERIOD = 201819;

const CREATE = `mutation($i: CreateClubInput!) { createClub(input: $i) { id name phase protocolId protocolStatus disclosure isCoordinator coordinator { id name } } }`;
const ADD = `mutation($c: ID!, $u: Int!) { addClubMember(clubId: $c, urn: $u) { id } }`;
const REMOVE = `mutation($c: ID!, $u: Int!) { removeClubMember(clubId: $c, urn: $u) { id } }`;
const LEAVE = `mutation($c: ID!, $u: Int!) { leaveClub(clubId: $c, urn: $u) }`;
const MEMBERS = `query($id: ID!) { club(id: $id) { id members { urn name pseudonym laCode isOwn isViewer } } }`;
const DASHBOARD = `query($id: ID!, $m: [String!]!, $p: String!) { club(id: $id) { id disclosure dashboard(measures: $m, period: $p) {
  period disclosure sharing
  schools { urn name pseudonym laCode isOwn isViewer values { measure value suppression quartile } }
  statistics { measure inScope n partnerN withheld minGroupSize q1 median q3 withheldReason } } } }`;

interface DashboardSchool {
  urn: number | null;
  name: string | null;
  pseudonym: string | null;
  laCode: string | null;
  isOwn: boolean;
  isViewer: boolean;
  values: {
    measure: string;
    value: number | null;
    suppression: string | null;
    quartile: number | null;
  }[];
}

describe('clubs', () => {
  let app: INestApplication;
  let db: TestDatabase;
  let hants: SeededTenant;
  let nyorks: SeededTenant;
  let surrey: SeededTenant;
  let wokingham: SeededTenant;
  const tokens: Record<string, string> = {};
  const protocols: Record<'named' | 'pseudonymised' | 'aggregate', string> = {
    named: '',
    pseudonymised: '',
    aggregate: '',
  };
  const clubs: Record<'named' | 'pseudonymised' | 'aggregate', string> = {
    named: '',
    pseudonymised: '',
    aggregate: '',
  };

  /** Runs SQL as the app role inside a tenant transaction, the way the API does. */
  async function asTenant<T>(tenant: SeededTenant, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      await client.query('begin');
      for (const statement of tenantSettingSql(tenant.id, tenant.users.la_admin!.id)) {
        await client.query(statement);
      }
      const result = await fn(client);
      await client.query('commit');
      return result;
    } finally {
      await client.end();
    }
  }

  /** An active protocol owned by Hampshire with North Yorkshire and Surrey, signed by all three. */
  async function activeProtocol(
    disclosure: 'named' | 'pseudonymised' | 'aggregate',
  ): Promise<string> {
    const id = randomUUID();
    const parties = [hants.id, nyorks.id, surrey.id];
    await asTenant(hants, async (c) => {
      await c.query(
        `insert into protocols (tenant_id, id, status, parties, created_by) values ($1, $2, 'draft', $3, $4)`,
        [hants.id, id, parties, hants.users.la_admin!.id],
      );
      await c.query(
        `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
           period_from, period_to, phases, disclosure, min_group_size, small_cohort_threshold, valid_from, valid_to)
         values ($1, $2, 1, $3, 'Benchmark secondary outcomes across the three authorities', $4, $5,
           201617, 201819, '{Secondary}', $6, 3, 6, current_date - 1, current_date + 700)`,
        [
          hants.id,
          id,
          `Secondary benchmarking (${disclosure})`,
          parties,
          [MEASURE, 'ks4_progress8'],
          disclosure,
        ],
      );
      await c.query(`update protocols set status = 'proposed' where tenant_id = $1 and id = $2`, [
        hants.id,
        id,
      ]);
    });
    for (const party of [hants, nyorks, surrey]) {
      await asTenant(party, (c) => c.query('select protocol_sign($1, $2, 1)', [hants.id, id]));
    }
    const [p] = await db.query<{ status: string }>('select status from protocols where id = $1', [
      id,
    ]);
    expect(p.status).toBe('active');
    return id;
  }

  /** A published dataset of one authority: Attainment 8 for 2018/19, with cohort sizes. */
  async function seedAttainment(
    tenant: SeededTenant,
    rows: [number, number, number][],
  ): Promise<void> {
    const dataset = randomUUID();
    await db.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at, periods)
       values ($1, $2, $3, 1, $4, $5, 'fixture', 'published', true, now(), $6)`,
      [
        tenant.id,
        dataset,
        `fixture:ks4-${tenant.laCode}`,
        `ks4-${tenant.laCode}.csv`,
        randomUUID().replace(/-/g, '').padEnd(64, '0'),
        [String(PERIOD)],
      ],
    );
    for (const [urn, value, cohort] of rows) {
      await db.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, denominator)
         values ($1, $2, $3, $4, $5, 'Academic year', 'all', $6, $7)`,
        [tenant.id, dataset, urn, MEASURE, PERIOD, value, cohort],
      );
    }
  }

  const secondary = (urn: number, name: string) => ({ urn, name, phase: 'Secondary' });

  async function dashboard(club: string, token: string) {
    return graphql(app, DASHBOARD, { id: club, m: [MEASURE], p: '2018/19' }, { token });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    await seedTenant(db, { kind: 'platform', name: 'SchoolBench platform' });
    const publicData = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
    });
    hants = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [
        secondary(116101, 'Alder Hants'),
        secondary(116102, 'Birch Hants'),
        secondary(116103, 'Cedar Hants'),
      ],
    });
    nyorks = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [
        secondary(121101, 'Dale NYorks'),
        secondary(121102, 'Esk NYorks'),
        secondary(121103, 'Fell NYorks'),
      ],
    });
    surrey = await seedTenant(db, {
      laCode: '936',
      name: 'Surrey',
      // The headteacher's school (the first) stays out of the clubs.
      schools: [
        secondary(125101, 'Guildford Surrey'),
        secondary(125102, 'Horley Surrey'),
        secondary(125103, 'Ewell Surrey'),
      ],
    });
    wokingham = await seedTenant(db, {
      laCode: '872',
      name: 'Wokingham',
      schools: [secondary(110101, 'Wokingham Only')],
    });
    // DfE publishes every school: Wokingham's is known to everyone through the reference register.
    await db.query(
      `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, 110101, 'Wokingham Only', 'Secondary', '872')`,
      [publicData.id],
    );
    await seedAttainment(hants, [
      [116101, 50, 180],
      [116102, 40, 150],
      [116103, 45, 160],
    ]);
    // Esk has a cohort of 4, under the protocols' small-cohort threshold of 6.
    await seedAttainment(nyorks, [
      [121101, 60, 200],
      [121102, 55, 4],
      [121103, 70, 210],
    ]);
    await seedAttainment(surrey, [
      [125101, 35, 120],
      [125102, 48, 140],
      [125103, 52, 170],
    ]);
    await seedAttainment(wokingham, [[110101, 41, 100]]);

    app = await createApiApp();
    await app.init();
    for (const [key, tenant] of Object.entries({ hants, nyorks, surrey, wokingham })) {
      for (const role of ['la_admin', 'analyst', 'headteacher'] as const) {
        const user = tenant.users[role]!;
        tokens[`${key}.${role}`] = await signIn(app, user.email, user.password);
      }
    }
    protocols.named = await activeProtocol('named');
    protocols.pseudonymised = await activeProtocol('pseudonymised');
    protocols.aggregate = await activeProtocol('aggregate');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lets an LA admin of a party create a club bound to the protocol, with its parties', async () => {
    for (const level of ['named', 'pseudonymised', 'aggregate'] as const) {
      const res = await graphql(
        app,
        CREATE,
        {
          i: {
            name: `Secondary Heads (${level})`,
            protocolId: protocols[level],
            phase: 'Secondary',
          },
        },
        { token: tokens['hants.la_admin'] },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.createClub).toMatchObject({
        protocolId: protocols[level],
        protocolStatus: 'active',
        disclosure: level,
        isCoordinator: true,
        coordinator: { id: hants.id, name: 'Hampshire' },
      });
      clubs[level] = res.data!.createClub.id as string;
    }
    const [club] = await db.query<{ parties: string[] }>(
      'select parties from clubs where id = $1',
      [clubs.named],
    );
    expect([...club.parties].sort()).toEqual([hants.id, nyorks.id, surrey.id].sort());
  });

  it('refuses a club to a non-party and to an analyst, and a duplicate name', async () => {
    const input = { name: 'Outsiders', protocolId: protocols.named };
    const outsider = await graphql(
      app,
      CREATE,
      { i: input },
      { token: tokens['wokingham.la_admin'] },
    );
    expect(errorCode(outsider)).toBe('NOT_FOUND');
    const analyst = await graphql(app, CREATE, { i: input }, { token: tokens['hants.analyst'] });
    expect(errorCode(analyst)).toBe('FORBIDDEN');
    const twice = await graphql(
      app,
      CREATE,
      { i: { name: 'Secondary Heads (named)', protocolId: protocols.named } },
      { token: tokens['hants.la_admin'] },
    );
    expect(errorCode(twice)).toBe('BAD_USER_INPUT');
  });

  it("adds schools of the protocol's parties, found from their LA code", async () => {
    const members: Record<keyof typeof clubs, number[]> = {
      named: [116101, 116102, 121101, 121102, 125102, 125103],
      pseudonymised: [116101, 121101, 121102, 125102, 125103],
      aggregate: [116101, 121101, 125102],
    };
    for (const level of ['named', 'pseudonymised', 'aggregate'] as const) {
      for (const urn of members[level]) {
        const res = await graphql(
          app,
          ADD,
          { c: clubs[level], u: urn },
          { token: tokens['hants.la_admin'] },
        );
        expect(res.errors).toBeUndefined();
      }
    }
    const rows = await db.query<{ urn: number; member_tenant_id: string }>(
      'select urn, member_tenant_id from club_members where club_id = $1 order by urn',
      [clubs.named],
    );
    expect(rows).toEqual([
      { urn: 116101, member_tenant_id: hants.id },
      { urn: 116102, member_tenant_id: hants.id },
      { urn: 121101, member_tenant_id: nyorks.id },
      { urn: 121102, member_tenant_id: nyorks.id },
      { urn: 125102, member_tenant_id: surrey.id },
      { urn: 125103, member_tenant_id: surrey.id },
    ]);
  });

  it('refuses a school of a non-party authority with a clear error, and writes nothing', async () => {
    const before = await snapshotDatabase(db);
    const res = await graphql(
      app,
      ADD,
      { c: clubs.named, u: 110101 },
      { token: tokens['hants.la_admin'] },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/Wokingham \(LA 872\), which is not a party/);
    const again = await graphql(
      app,
      ADD,
      { c: clubs.named, u: 116101 },
      { token: tokens['hants.la_admin'] },
    );
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    const unknown = await graphql(
      app,
      ADD,
      { c: clubs.named, u: 999999 },
      { token: tokens['hants.la_admin'] },
    );
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    const notCoordinator = await graphql(
      app,
      ADD,
      { c: clubs.named, u: 121103 },
      { token: tokens['nyorks.la_admin'] },
    );
    expect(errorCode(notCoordinator)).toBe('FORBIDDEN');
    expect(await snapshotDatabase(db)).toEqual(before);
  });

  it('shows partner URNs and names on a named dashboard, small cohorts as c, the viewer highlighted, quartiles over members', async () => {
    const res = await dashboard(clubs.named, tokens['hants.headteacher']);
    expect(res.errors).toBeUndefined();
    const board = res.data!.club.dashboard;
    expect(board).toMatchObject({ period: '201819', disclosure: 'named', sharing: true });
    const schools = board.schools as DashboardSchool[];
    // A headteacher sees their own school first, highlighted; Birch (own authority) as the protocol names it.
    expect(schools[0]).toMatchObject({
      urn: 116101,
      name: 'Alder Hants',
      isOwn: true,
      isViewer: true,
    });
    expect(schools.filter((s) => s.isViewer).map((s) => s.urn)).toEqual([116101]);
    expect(schools.map((s) => s.urn).sort()).toEqual([
      116101, 116102, 121101, 121102, 125102, 125103,
    ]);
    const byUrn = new Map(schools.map((s) => [s.urn, s]));
    expect(byUrn.get(121101)).toMatchObject({
      name: 'Dale NYorks',
      laCode: '815',
      isOwn: false,
      isViewer: false,
    });
    expect(byUrn.get(121101)!.values).toEqual([
      { measure: MEASURE, value: 60, suppression: null, quartile: 4 },
    ]);
    expect(byUrn.get(121102)!.values).toEqual([
      { measure: MEASURE, value: null, suppression: 'c', quartile: null },
    ]);
    expect(byUrn.get(116102)!.values[0].quartile).toBe(1);
    // Members with values: 40, 48, 50, 52, 60 (Esk withheld); three of them partners' schools.
    expect(board.statistics).toEqual([
      {
        measure: MEASURE,
        inScope: true,
        n: 5,
        partnerN: 3,
        withheld: 1,
        minGroupSize: 3,
        q1: 48,
        median: 50,
        q3: 52,
        withheldReason: null,
      },
    ]);
    // Not a member: never on the dashboard, whatever the grant allows.
    expect(JSON.stringify(res.data)).not.toContain('121103');
  });

  it('writes every cross-tenant read of the dashboard to the owners’ access logs', async () => {
    const before = await db.query<{ n: number }>('select count(*)::int as n from access_log');
    await dashboard(clubs.named, tokens['hants.analyst']);
    const entries = await db.query<{
      tenant_id: string;
      reader_tenant_id: string;
      reader_user_id: string;
      protocol_id: string;
      protocol_version: number;
      operation: string;
      urns: number[];
      measures: string[];
      row_count: number;
    }>(`select * from access_log where reader_user_id = $1 order by operation, tenant_id`, [
      hants.users.analyst!.id,
    ]);
    expect(entries.length).toBeGreaterThan(0);
    const cells = entries.filter((e) => e.operation === 'club.dashboard');
    expect(cells.map((e) => e.tenant_id).sort()).toEqual([nyorks.id, surrey.id].sort());
    for (const e of entries) {
      expect(e).toMatchObject({
        reader_tenant_id: hants.id,
        protocol_id: protocols.named,
        protocol_version: 1,
      });
    }
    expect(cells.find((e) => e.tenant_id === nyorks.id)).toMatchObject({
      urns: [121101, 121102],
      measures: [MEASURE],
      row_count: 2,
    });
    expect(entries.some((e) => e.operation === 'club.dashboard.statistics')).toBe(true);
    const after = await db.query<{ n: number }>('select count(*)::int as n from access_log');
    expect(after[0].n - before[0].n).toBe(entries.length);
  });

  it('lists members as the protocol allows: named partners to everyone, own schools, pseudonymised partners only to the coordinator', async () => {
    const named = await graphql(
      app,
      MEMBERS,
      { id: clubs.named },
      { token: tokens['nyorks.headteacher'] },
    );
    expect(named.errors).toBeUndefined();
    const namedMembers = named.data!.club.members as {
      urn: number;
      name: string;
      isOwn: boolean;
      isViewer: boolean;
    }[];
    expect(namedMembers.map((m) => m.urn).sort()).toEqual([
      116101, 116102, 121101, 121102, 125102, 125103,
    ]);
    expect(namedMembers.find((m) => m.urn === 121101)).toMatchObject({
      isOwn: true,
      isViewer: true,
    });
    expect(namedMembers.find((m) => m.urn === 116101)).toMatchObject({
      name: 'Alder Hants',
      isOwn: false,
    });

    const pseudo = await graphql(
      app,
      MEMBERS,
      { id: clubs.pseudonymised },
      { token: tokens['nyorks.headteacher'] },
    );
    const pseudoMembers = pseudo.data!.club.members as {
      urn: number | null;
      laCode: string;
      isOwn: boolean;
    }[];
    expect(pseudoMembers).toHaveLength(5);
    expect(pseudoMembers.filter((m) => m.urn !== null).map((m) => m.urn)).toEqual([121101]);
    expect(JSON.stringify(pseudo.data)).not.toMatch(/1161\d\d|1251\d\d|Alder|Horley|Ewell/);

    const coordinator = await graphql(
      app,
      MEMBERS,
      { id: clubs.pseudonymised },
      { token: tokens['hants.la_admin'] },
    );
    expect((coordinator.data!.club.members as { urn: number }[]).map((m) => m.urn).sort()).toEqual([
      116101, 121101, 121102, 125102, 125103,
    ]);
  });

  it('shows pseudonyms and no partner URN or name on a pseudonymised dashboard', async () => {
    const res = await dashboard(clubs.pseudonymised, tokens['hants.headteacher']);
    expect(res.errors).toBeUndefined();
    const board = res.data!.club.dashboard;
    expect(board).toMatchObject({ disclosure: 'pseudonymised', sharing: true });
    const schools = board.schools as DashboardSchool[];
    const partners = schools.filter((s) => !s.isOwn);
    expect(partners.length).toBeGreaterThan(0);
    for (const s of partners) {
      expect(s).toMatchObject({ urn: null, name: null });
      expect(s.pseudonym).toMatch(/^S-[0-9A-F]{10}$/);
    }
    expect(schools.filter((s) => s.isOwn)).toEqual([
      expect.objectContaining({ urn: 116101, name: 'Alder Hants', isViewer: true }),
    ]);
    // Esk's small cohort is served as c here too.
    expect(partners.some((s) => s.values[0]?.suppression === 'c')).toBe(true);
    const text = JSON.stringify(res.data);
    for (const hidden of [121101, 121102, 125102, 125103, 'Dale', 'Esk', 'Horley', 'Ewell']) {
      expect(text).not.toContain(String(hidden));
    }
    // Statistics cover the protocol's whole partner reach of the phase (6 schools, Esk withheld),
    // never the caller's own; quartiles need 10 (issue 10, docs/sharing.md §10).
    expect(board.statistics[0]).toMatchObject({ n: 5, partnerN: 5, withheld: 1, median: null });
  });

  it('shows the protocol’s whole reach of the phase on a pseudonymised dashboard, whoever the members are', async () => {
    const res = await dashboard(clubs.pseudonymised, tokens['hants.la_admin']);
    const partners = (res.data!.club.dashboard.schools as DashboardSchool[]).filter(
      (s) => !s.isOwn,
    );
    // All six partner secondary schools in reach (Fell and Guildford too, though not members):
    // rows that depended on the members would tell who left when one is removed (issue 10).
    expect(new Set(partners.map((s) => s.pseudonym)).size).toBe(6);

    // Down to two partner members: the same rows.
    for (const urn of [121102, 125103]) {
      const removed = await graphql(
        app,
        REMOVE,
        { c: clubs.pseudonymised, u: urn },
        { token: tokens['hants.la_admin'] },
      );
      expect(removed.errors).toBeUndefined();
    }
    const few = await dashboard(clubs.pseudonymised, tokens['hants.la_admin']);
    const left = (few.data!.club.dashboard.schools as DashboardSchool[]).filter((s) => !s.isOwn);
    expect(left).toEqual(partners);
  });

  it('shows no partner rows on an aggregate dashboard, and statistics over the whole reach only', async () => {
    const few = await dashboard(clubs.aggregate, tokens['hants.la_admin']);
    expect(few.errors).toBeUndefined();
    const board = few.data!.club.dashboard;
    expect(board).toMatchObject({ disclosure: 'aggregate', sharing: true });
    expect((board.schools as DashboardSchool[]).map((s) => s.urn)).toEqual([116101]);
    // The six partner secondary schools in reach (Esk withheld), whoever the members: under 10.
    expect(board.statistics[0]).toMatchObject({
      n: 5,
      partnerN: 5,
      minGroupSize: 10,
      q1: null,
      median: null,
      q3: null,
      withheldReason:
        'Only 5 partner schools have a value; the protocol needs at least 10 before showing quartiles',
    });

    const added = await graphql(
      app,
      ADD,
      { c: clubs.aggregate, u: 125103 },
      { token: tokens['hants.la_admin'] },
    );
    expect(added.errors).toBeUndefined();
    const same = await dashboard(clubs.aggregate, tokens['hants.la_admin']);
    // A new member changes nothing: the group is not the members.
    expect(same.data!.club.dashboard.statistics).toEqual(board.statistics);
    expect((same.data!.club.dashboard.schools as DashboardSchool[]).map((s) => s.urn)).toEqual([
      116101,
    ]);
    expect(same.data!.club.dashboard.schools[0].values[0]).toMatchObject({
      value: 50,
      quartile: null,
    });
  });

  it('refuses the dashboard to a headteacher whose school is not a member, and hides clubs from non-parties', async () => {
    const outsider = await dashboard(clubs.named, tokens['surrey.headteacher']);
    expect(errorCode(outsider)).toBe('FORBIDDEN');
    const list = await graphql(
      app,
      '{ clubs { totalCount nodes { id } } }',
      {},
      { token: tokens['surrey.headteacher'] },
    );
    expect(list.data!.clubs.totalCount).toBe(0);
    const partyList = await graphql(
      app,
      '{ clubs { totalCount } }',
      {},
      { token: tokens['surrey.analyst'] },
    );
    expect(partyList.data!.clubs.totalCount).toBe(3);
    const stranger = await graphql(
      app,
      MEMBERS,
      { id: clubs.named },
      { token: tokens['wokingham.la_admin'] },
    );
    expect(errorCode(stranger)).toBe('NOT_FOUND');
    const strangers = await graphql(
      app,
      '{ clubs { totalCount } }',
      {},
      { token: tokens['wokingham.analyst'] },
    );
    expect(strangers.data!.clubs.totalCount).toBe(0);
  });

  it('lets a member school leave (its headteacher, for its own school only) and the coordinator remove one', async () => {
    const notTheirs = await graphql(
      app,
      LEAVE,
      { c: clubs.named, u: 121102 },
      { token: tokens['nyorks.headteacher'] },
    );
    expect(errorCode(notTheirs)).toBe('FORBIDDEN');
    const otherAuthority = await graphql(
      app,
      LEAVE,
      { c: clubs.named, u: 116101 },
      { token: tokens['nyorks.la_admin'] },
    );
    expect(errorCode(otherAuthority)).toBe('FORBIDDEN');

    const left = await graphql(
      app,
      LEAVE,
      { c: clubs.named, u: 121101 },
      { token: tokens['nyorks.headteacher'] },
    );
    expect(left.data).toEqual({ leaveClub: true });
    const after = await dashboard(clubs.named, tokens['nyorks.headteacher']);
    expect(errorCode(after)).toBe('FORBIDDEN');
    const byAdmin = await graphql(
      app,
      LEAVE,
      { c: clubs.named, u: 121102 },
      { token: tokens['nyorks.la_admin'] },
    );
    expect(byAdmin.data).toEqual({ leaveClub: true });

    const removed = await graphql(
      app,
      REMOVE,
      { c: clubs.named, u: 125103 },
      { token: tokens['hants.la_admin'] },
    );
    expect(removed.errors).toBeUndefined();
    const members = await db.query<{ urn: number }>(
      'select urn from club_members where club_id = $1 order by urn',
      [clubs.named],
    );
    expect(members.map((m) => m.urn)).toEqual([116101, 116102, 125102]);
  });

  it('shows no partner data on the next request once the protocol is revoked', async () => {
    const before = await dashboard(clubs.named, tokens['hants.headteacher']);
    expect((before.data!.club.dashboard.schools as DashboardSchool[]).some((s) => !s.isOwn)).toBe(
      true,
    );

    await asTenant(hants, async (c) => {
      await c.query(
        `update protocols set status = 'revoked', version_in_force = null where tenant_id = $1 and id = $2`,
        [hants.id, protocols.named],
      );
      await c.query('select protocol_settle($1, $2)', [hants.id, protocols.named]);
    });

    const logged = await db.query<{ n: number }>('select count(*)::int as n from access_log');
    const res = await dashboard(clubs.named, tokens['hants.headteacher']);
    expect(res.errors).toBeUndefined();
    const board = res.data!.club.dashboard;
    expect(board).toMatchObject({ sharing: false, disclosure: null });
    expect((board.schools as DashboardSchool[]).every((s) => s.isOwn)).toBe(true);
    expect(board.statistics[0]).toMatchObject({ partnerN: 0, median: null });
    expect(board.statistics[0].withheldReason).toMatch(/not in force/);
    expect(JSON.stringify(res.data)).not.toMatch(/1251\d\d|Horley/);
    // Nothing crossed tenants, so nothing was logged.
    expect((await db.query<{ n: number }>('select count(*)::int as n from access_log'))[0].n).toBe(
      logged[0].n,
    );
    // And no new member can join under a revoked protocol.
    const join = await graphql(
      app,
      ADD,
      { c: clubs.named, u: 116103 },
      { token: tokens['hants.la_admin'] },
    );
    expect(errorCode(join)).toBe('BAD_USER_INPUT');
  });
});

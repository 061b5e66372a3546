import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';

import {
  createTestDatabase,
  errorCode,
  graphql,
  seedTenant,
  signIn,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The app under test is the API itself; e2e tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';

/**
 * Issue 10, findings 2, 3 and 8a, as an attacker tried them through the API: club dashboards show
 * only what the club's protocol allows (own authority included, nothing of other schools once the
 * protocol stops); pseudonymised rows cannot be linked back to schools by joining with DfE's
 * published data or by changing a club's members; aggregate statistics cannot be aimed at a few
 * chosen schools; a coordinator lists its club's members whatever the protocol's state.
 * Threat model: docs/sharing.md §10.
 */

const A8 = 'ks4_attainment8';
const FINANCE = 'finance_total_income_per_pupil';
const PERIOD = 201819;

const ADD = `mutation($c: ID!, $u: Int!) { addClubMember(clubId: $c, urn: $u) { id } }`;
const REMOVE = `mutation($c: ID!, $u: Int!) { removeClubMember(clubId: $c, urn: $u) { id } }`;
const MEMBERS = `query($id: ID!) { club(id: $id) { id members { urn name laCode isOwn isViewer } } }`;
const DASHBOARD = `query($id: ID!, $m: [String!]!, $p: String!) { club(id: $id) { id dashboard(measures: $m, period: $p) {
  period disclosure sharing
  schools { urn name pseudonym laCode isOwn isViewer values { measure value suppression quartile } }
  statistics { measure inScope n partnerN withheld minGroupSize q1 median q3 withheldReason } } } }`;

interface DashboardSchool {
  urn: number | null;
  name: string | null;
  pseudonym: string | null;
  laCode: string | null;
  isOwn: boolean;
  values: { measure: string; value: number | null; suppression: string | null }[];
}

/** numpy's default (R type 7) quartiles, as the database computes them. */
function quartiles(values: number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => {
    const pos = (sorted.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  return [at(0.25), at(0.5), at(0.75)];
}

// North Yorkshire's and Surrey's secondary schools' Attainment 8 for 2018/19 (all cohorts ≥ 6).
const NYORKS_A8: [number, number][] = [
  [121101, 61.5],
  [121102, 62.5],
  [121103, 48.1],
  [121104, 52.3],
  [121105, 39.7],
  [121106, 57.9],
  [121107, 44.4],
  [121108, 50.6],
];
const SURREY_A8: [number, number][] = [
  [125101, 35.2],
  [125102, 47.3],
  [125103, 53.8],
  [125104, 41.9],
  [125105, 58.6],
];
/** DfE publishes these two schools' values: anyone can read them by URN. */
const PUBLISHED: [number, number][] = [
  [121101, 61.5],
  [121102, 62.5],
];

describe('club dashboards disclose only what the protocol allows (issue 10: findings 2, 3, 8a)', () => {
  let app: INestApplication;
  let db: TestDatabase;
  let publicData: SeededTenant;
  let hants: SeededTenant;
  let nyorks: SeededTenant;
  let surrey: SeededTenant;
  const tokens: Record<string, string> = {};

  async function activeProtocol(disclosure: 'named' | 'pseudonymised' | 'aggregate') {
    const id = randomUUID();
    const parties = [hants.id, nyorks.id, surrey.id];
    await db.query(
      `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
      [hants.id, id, parties],
    );
    await db.query(
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
         period_from, period_to, phases, disclosure, min_group_size, small_cohort_threshold, valid_from, valid_to)
       values ($1, $2, 1, $3, 'Benchmark secondary outcomes', $4, $5, 201718, 201819, '{Secondary}', $6, 3, 6,
         current_date - 1, current_date + 700)`,
      [hants.id, id, `Secondary (${disclosure})`, parties, [A8, 'ks4_progress8'], disclosure],
    );
    for (const party of [hants, nyorks, surrey]) {
      await db.asTenant(
        party.id,
        'select protocol_sign($1, $2, 1)',
        [hants.id, id],
        party.users.la_admin!.id,
      );
    }
    return id;
  }

  async function stopProtocol(id: string, status: 'suspended' | 'revoked'): Promise<void> {
    await db.asTenant(
      hants.id,
      `update protocols set status = $3, version_in_force = null where tenant_id = $1 and id = $2`,
      [hants.id, id, status],
      hants.users.la_admin!.id,
    );
    await db.asTenant(
      hants.id,
      'select protocol_settle($1, $2)',
      [hants.id, id],
      hants.users.la_admin!.id,
    );
  }

  async function club(name: string, protocolId: string, phase: string | null, urns: number[]) {
    const res = await graphql(
      app,
      `
        mutation ($i: CreateClubInput!) {
          createClub(input: $i) {
            id
          }
        }
      `,
      { i: { name, protocolId, ...(phase ? { phase } : {}) } },
      { token: tokens['hants.la_admin'] },
    );
    expect(res.errors).toBeUndefined();
    const id = res.data!.createClub.id as string;
    for (const urn of urns) {
      const added = await graphql(app, ADD, { c: id, u: urn }, { token: tokens['hants.la_admin'] });
      expect(added.errors).toBeUndefined();
    }
    return id;
  }

  async function seedValues(
    tenant: SeededTenant,
    rows: { urn: number; measure: string; period: number; value: number; cohort?: number }[],
  ): Promise<void> {
    const dataset = randomUUID();
    await db.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at)
       values ($1, $2, $3, 1, 'fixture.csv', $4, 'fixture', 'published', true, now())`,
      [
        tenant.id,
        dataset,
        `fixture:${randomUUID()}`,
        randomUUID().replace(/-/g, '').padEnd(64, '0'),
      ],
    );
    for (const r of rows) {
      await db.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, denominator)
         values ($1, $2, $3, $4, $5, 'Academic year', 'all', $6, $7)`,
        [tenant.id, dataset, r.urn, r.measure, r.period, r.value, r.cohort ?? 150],
      );
    }
  }

  async function dashboard(clubId: string, token: string, measures = [A8], period = '2018/19') {
    const res = await graphql(app, DASHBOARD, { id: clubId, m: measures, p: period }, { token });
    expect(res.errors).toBeUndefined();
    return res.data!.club.dashboard as {
      disclosure: string | null;
      sharing: boolean;
      schools: DashboardSchool[];
      statistics: {
        measure: string;
        inScope: boolean;
        n: number;
        partnerN: number;
        q1: number | null;
        median: number | null;
        q3: number | null;
        withheldReason: string | null;
      }[];
    };
  }

  const secondary = (urn: number, name: string) => ({ urn, name, phase: 'Secondary' });

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    await seedTenant(db, { kind: 'platform', name: 'SchoolBench platform' });
    publicData = await seedTenant(db, {
      kind: 'public',
      name: 'DfE published data',
      roles: [],
      // DfE's register lists every school (so the coordinator can add partners' schools by URN);
      // its results only two of them.
      schools: [...NYORKS_A8, ...SURREY_A8].map(([urn]) => secondary(urn, `Published ${urn}`)),
    });
    await db.query(
      `update schools set la_code = case when urn < 125000 then '815' else '936' end where tenant_id = $1`,
      [publicData.id],
    );
    hants = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [
        secondary(116101, 'Alder Hants'),
        secondary(116102, 'Birch Hants'),
        { urn: 116150, name: 'Acorn Nursery Hants', phase: 'Nursery' },
      ],
    });
    nyorks = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [
        ...NYORKS_A8.map(([urn]) => secondary(urn, `NYorks ${urn}`)),
        { urn: 121150, name: 'NYorks Nursery', phase: 'Nursery' },
      ],
    });
    surrey = await seedTenant(db, {
      laCode: '936',
      name: 'Surrey',
      schools: SURREY_A8.map(([urn]) => secondary(urn, `Surrey ${urn}`)),
    });
    await seedValues(publicData, [
      ...PUBLISHED.map(([urn, value]) => ({ urn, measure: A8, period: PERIOD, value })),
    ]);
    await seedValues(hants, [
      { urn: 116101, measure: A8, period: PERIOD, value: 49.9 },
      { urn: 116102, measure: A8, period: PERIOD, value: 44.8 },
      { urn: 116150, measure: FINANCE, period: PERIOD, value: 7123 },
    ]);
    await seedValues(nyorks, [
      ...NYORKS_A8.map(([urn, value]) => ({ urn, measure: A8, period: PERIOD, value })),
      // Out of the protocols' phase: never shared.
      { urn: 121150, measure: A8, period: PERIOD, value: 99.1 },
      // 2017/18: only six partner schools have a value.
      ...NYORKS_A8.slice(0, 6).map(([urn], i) => ({
        urn,
        measure: A8,
        period: 201718,
        value: 70 + i,
      })),
    ]);
    await seedValues(
      surrey,
      SURREY_A8.map(([urn, value]) => ({ urn, measure: A8, period: PERIOD, value })),
    );

    app = await createApiApp();
    await app.init();
    for (const [key, tenant] of Object.entries({ hants, nyorks, surrey })) {
      for (const role of ['la_admin', 'analyst', 'headteacher', 'governor'] as const) {
        const user = tenant.users[role]!;
        tokens[`${key}.${role}`] = await signIn(app, user.email, user.password);
      }
    }
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('finding 2: headteachers and governors see no further than the protocol', () => {
    let clubId: string;
    let protocolId: string;

    beforeAll(async () => {
      protocolId = await activeProtocol('named');
      // No phase on the club: a nursery school of the coordinator's own authority could join.
      clubId = await club(
        'Heads (named, any phase)',
        protocolId,
        null,
        [116101, 116102, 116150, 121101, 125102],
      );
    });

    it('shows no school outside the protocol’s phase and no measure outside its scope, own authority included', async () => {
      for (const who of ['hants.headteacher', 'hants.governor', 'hants.analyst']) {
        const board = await dashboard(clubId, tokens[who], [A8, FINANCE]);
        const text = JSON.stringify(board);
        // The nursery school's finance value, outside the protocol's measures and phase.
        expect(text).not.toContain('7123');
        for (const school of board.schools) {
          expect(school.values.filter((v) => v.measure === FINANCE && v.value !== null)).toEqual(
            [],
          );
        }
        const finance = board.statistics.find((s) => s.measure === FINANCE)!;
        expect(finance).toMatchObject({ inScope: false, n: 0, median: null });
        if (who !== 'hants.analyst') {
          // A school-bound viewer sees another school of their authority only as the protocol
          // names it: Birch (secondary, in reach) yes; the nursery school not at all.
          expect(board.schools.map((s) => s.urn)).not.toContain(116150);
          expect(board.schools.find((s) => s.urn === 116102)!.values).toEqual([
            expect.objectContaining({ measure: A8, value: 44.8 }),
          ]);
        }
      }
    });

    it('shows nothing of other schools once the protocol is suspended, and the coordinator still lists its members', async () => {
      const before = await dashboard(clubId, tokens['hants.headteacher']);
      expect(before.schools.some((s) => s.urn === 121101)).toBe(true);

      await stopProtocol(protocolId, 'suspended');
      for (const who of ['hants.headteacher', 'hants.governor']) {
        const board = await dashboard(clubId, tokens[who], [A8, FINANCE]);
        expect(board).toMatchObject({ sharing: false, disclosure: null });
        expect(board.schools.map((s) => s.urn)).toEqual([116101]);
        const text = JSON.stringify(board);
        for (const hidden of ['116102', '116150', '121101', '125102', 'Birch', 'Acorn', '44.8']) {
          expect(text).not.toContain(hidden);
        }
        const members = await graphql(app, MEMBERS, { id: clubId }, { token: tokens[who] });
        expect(members.errors).toBeUndefined();
        const listed = members.data!.club.members as { urn: number | null; name: string | null }[];
        expect(listed.filter((m) => m.urn !== null).map((m) => m.urn)).toEqual([116101]);
        expect(JSON.stringify(listed)).not.toMatch(/Birch|Acorn|NYorks|Surrey/);
      }

      // Finding 8a: the coordinator manages the list, so it still sees it (no 500), and listing
      // the URNs it entered itself reads nothing under the stopped protocol, so nothing is logged.
      const logged = await db.query<{ n: number }>('select count(*)::int as n from access_log');
      const coordinator = await graphql(
        app,
        MEMBERS,
        { id: clubId },
        { token: tokens['hants.la_admin'] },
      );
      expect(coordinator.errors).toBeUndefined();
      expect(
        (coordinator.data!.club.members as { urn: number }[]).map((m) => m.urn).sort(),
      ).toEqual([116101, 116102, 116150, 121101, 125102]);
      expect(
        (await db.query<{ n: number }>('select count(*)::int as n from access_log'))[0],
      ).toEqual(logged[0]);

      await stopProtocol(protocolId, 'revoked');
      const revoked = await graphql(
        app,
        MEMBERS,
        { id: clubId },
        { token: tokens['hants.la_admin'] },
      );
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data!.club.members).toHaveLength(5);
      const board = await dashboard(clubId, tokens['hants.headteacher']);
      expect(board.schools.map((s) => s.urn)).toEqual([116101]);
      expect(errorCode(await graphql(app, MEMBERS, { id: clubId }, {}))).toBe('UNAUTHENTICATED');
    });
  });

  describe('finding 3: pseudonymised rows cannot be linked back to schools', () => {
    let clubId: string;

    beforeAll(async () => {
      const protocolId = await activeProtocol('pseudonymised');
      clubId = await club(
        'Heads (pseudonymised)',
        protocolId,
        'Secondary',
        [116101, 121101, 121102, 121103, 125102],
      );
    });

    const partnerRows = (board: Awaited<ReturnType<typeof dashboard>>) =>
      board.schools
        .filter((s) => !s.isOwn)
        .map((s) => ({ pseudonym: s.pseudonym, laCode: s.laCode, values: s.values }))
        .sort((a, b) => String(a.pseudonym).localeCompare(String(b.pseudonym)));

    it('withholds every value that DfE publishes for the school, so joining on exact values links nothing', async () => {
      const board = await dashboard(clubId, tokens['hants.la_admin']);
      const partners = board.schools.filter((s) => !s.isOwn);
      for (const s of partners) expect(s).toMatchObject({ urn: null, name: null });
      const shown = partners
        .flatMap((s) => s.values.map((v) => v.value))
        .filter((v): v is number => v !== null);
      const published = PUBLISHED.map(([, value]) => value);
      expect(shown.filter((v) => published.includes(v))).toEqual([]);
      // Not vacuous: the unpublished values are there, the published ones withheld as x.
      expect(shown.length).toBe(NYORKS_A8.length + SURREY_A8.length - PUBLISHED.length);
      expect(partners.flatMap((s) => s.values).filter((v) => v.suppression === 'x')).toHaveLength(
        PUBLISHED.length,
      );
      // Out of the protocol's phase: never shown.
      expect(JSON.stringify(board)).not.toContain('99.1');

      // The database logged the read in each owner's log, naming the schools behind the
      // pseudonyms; the reader may write such entries but never read them back.
      const entries = await db.query<{ tenant_id: string; urns: number[]; row_count: number }>(
        `select tenant_id, urns, row_count from access_log
         where reader_user_id = $1 and operation = 'club.dashboard' order by tenant_id`,
        [hants.users.la_admin!.id],
      );
      expect(entries.find((e) => e.tenant_id === nyorks.id)!.urns.sort((a, b) => a - b)).toEqual(
        NYORKS_A8.map(([urn]) => urn),
      );
      expect(entries.find((e) => e.tenant_id === surrey.id)!.row_count).toBe(SURREY_A8.length);
      const readable = await db.asTenant(
        hants.id,
        'select * from access_log where tenant_id <> $1',
        [hants.id],
        hants.users.la_admin!.id,
      );
      expect(readable).toEqual([]);
    });

    it('shows the same pseudonymised rows whoever the members are: removing one exposes nothing', async () => {
      const before = partnerRows(await dashboard(clubId, tokens['hants.la_admin']));
      expect(before.length).toBeGreaterThan(0);
      const removed = await graphql(
        app,
        REMOVE,
        { c: clubId, u: 121103 },
        { token: tokens['hants.la_admin'] },
      );
      expect(removed.errors).toBeUndefined();
      const after = partnerRows(await dashboard(clubId, tokens['hants.la_admin']));
      expect(after).toEqual(before);
      const added = await graphql(
        app,
        ADD,
        { c: clubId, u: 121104 },
        { token: tokens['hants.la_admin'] },
      );
      expect(added.errors).toBeUndefined();
      expect(partnerRows(await dashboard(clubId, tokens['hants.la_admin']))).toEqual(before);
    });
  });

  describe('finding 3: aggregate statistics cannot be aimed at chosen schools', () => {
    let first: string;
    let overlapping: string;

    beforeAll(async () => {
      const protocolId = await activeProtocol('aggregate');
      // Exactly three partner schools each, two of them shared: the attack as tried.
      first = await club(
        'Trio A (aggregate)',
        protocolId,
        'Secondary',
        [116101, 121101, 121102, 125102],
      );
      overlapping = await club(
        'Trio B (aggregate)',
        protocolId,
        'Secondary',
        [116101, 121101, 121102, 125103],
      );
    });

    it('computes statistics over the protocol’s whole partner reach of the phase, whatever the members', async () => {
      const reach = [...NYORKS_A8, ...SURREY_A8].map(([, value]) => value);
      const [q1, median, q3] = quartiles(reach);
      const a = await dashboard(first, tokens['hants.headteacher']);
      const b = await dashboard(overlapping, tokens['hants.headteacher']);
      expect(a.statistics).toEqual(b.statistics);
      expect(a.statistics[0]).toMatchObject({ n: reach.length, partnerN: reach.length });
      expect(a.statistics[0].q1).toBeCloseTo(q1, 10);
      expect(a.statistics[0].median).toBeCloseTo(median, 10);
      expect(a.statistics[0].q3).toBeCloseTo(q3, 10);
      // No partner school is shown at all.
      expect(a.schools.every((s) => s.isOwn)).toBe(true);
    });

    it('withholds quartiles of fewer than ten partner schools, and the caller’s own values never move them', async () => {
      const few = await dashboard(first, tokens['hants.la_admin'], [A8], '2017/18');
      expect(few.statistics[0]).toMatchObject({ n: 6, q1: null, median: null, q3: null });
      expect(few.statistics[0].withheldReason).toMatch(/at least 10/);

      const before = (await dashboard(first, tokens['hants.la_admin'])).statistics;
      // Hampshire publishes extreme values for its own schools: the statistics stay as they were.
      await db.query(`update datasets set is_current = false where tenant_id = $1`, [hants.id]);
      await seedValues(hants, [
        { urn: 116101, measure: A8, period: PERIOD, value: 1000 },
        { urn: 116102, measure: A8, period: PERIOD, value: 1000 },
      ]);
      expect((await dashboard(first, tokens['hants.la_admin'])).statistics).toEqual(before);
    });
  });
});

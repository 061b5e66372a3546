import { randomUUID } from 'node:crypto';

import {
  mayReadNamedCell,
  mayReadRecord,
  RECORD_CATEGORIES,
  type ReferenceCell,
  type ReferenceProtocol,
  type ReferenceRecord,
  type ReferenceSchool,
} from '@schoolbench/sharing-core';
import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

/**
 * Property-style check of the database's grants and policies: for random protocols, scopes,
 * opt-outs and revocations, the partner rows each tenant can read as the app role are exactly
 * what the plain reference function of SPEC §6 says it may read.
 */
describe('grants compiled into row-level security', () => {
  let db: TestDatabase;
  let tenants: SeededTenant[];
  const schools: ReferenceSchool[] = [];
  const cells: ReferenceCell[] = [];
  const records: (ReferenceRecord & { id: string })[] = [];
  const MEASURES = ['ks4_attainment8', 'ks4_progress8', 'fsm_pct'];
  const PERIODS = [201617, 201718, 201819];
  const today = new Date().toISOString().slice(0, 10);

  // A small deterministic generator, so a failure can be replayed.
  let seed = 20261122;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const some = <T>(items: readonly T[]): T[] => {
    const chosen = items.filter(() => random() < 0.5);
    return chosen.length ? chosen : [pick(items)];
  };

  /** As the tenant's LA admin (the signing functions check who acts). */
  const asTenant = <T = Record<string, unknown>>(
    tenant: SeededTenant,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> => db.asTenant<T>(tenant.id, sql, params, tenant.users.la_admin!.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    tenants = [];
    for (const [i, la] of ['850', '815', '936', '872'].entries()) {
      const base = 130000 + i * 100;
      const own = [0, 1, 2, 3].map((n) => ({
        urn: base + n,
        name: `School ${base + n}`,
        phase: n % 2 === 0 ? 'Secondary' : 'Primary',
      }));
      const tenant = await seedTenant(db, { laCode: la, name: `LA ${la}`, schools: own });
      tenants.push(tenant);
      const dataset = randomUUID();
      await db.query(
        `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, is_current, published_at)
         values ($1, $2, 'fixture', 1, 'fixture.csv', $3, 'published', true, now())`,
        [tenant.id, dataset, randomUUID().replace(/-/g, '').padEnd(64, '0')],
      );
      // Targets (one a period per school, and the authority's own) and a judgement per school.
      const admin = tenant.users.la_admin!.id;
      for (const [urn, period] of [
        ...own.flatMap((s) => PERIODS.map((p) => [s.urn, p] as const)),
        [null, pick(PERIODS)] as const,
      ]) {
        const id = randomUUID();
        records.push({ id, tenantId: tenant.id, urn, category: 'targets', period });
        await db.query(
          `insert into target_events (tenant_id, id, urn, measure, time_period, kind, action, value,
             source, actor_id, actor_role)
           values ($1, $2, $3, 'ks4_attainment8', $4, 'target', 'set', 50, 'api', $5, 'la_admin')`,
          [tenant.id, id, urn, period, admin],
        );
      }
      for (const s of own) {
        const id = randomUUID();
        records.push({ id, tenantId: tenant.id, urn: s.urn, category: 'judgements', period: null });
        await db.query(
          `insert into school_judgements (tenant_id, id, urn, kind, judgement, judged_on, source,
             recorded_by, recorded_via)
           values ($1, $2, $3, 'inspection', 'good', '2019-03-14', 'Ofsted', $4, 'api')`,
          [tenant.id, id, s.urn, admin],
        );
      }
      for (const s of own) {
        schools.push({ tenantId: tenant.id, urn: s.urn, phase: s.phase.toLowerCase() });
        for (const measure of MEASURES) {
          for (const period of PERIODS) {
            const denominator = random() < 0.3 ? Math.floor(random() * 10) : null;
            cells.push({ tenantId: tenant.id, urn: s.urn, measure, period, denominator });
            await db.query(
              `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, denominator)
               values ($1, $2, $3, $4, $5, 'Academic year', 'all', 50, $6)`,
              [tenant.id, dataset, s.urn, measure, period, denominator],
            );
          }
        }
      }
    }
  });

  afterAll(() => db?.drop());

  it('lets each tenant read exactly what the reference function allows, through 12 random rounds', async () => {
    const protocols: ReferenceProtocol[] = [];
    let partnerRecordsSeen = 0;
    for (let round = 0; round < 12; round++) {
      const action =
        protocols.length === 0 ? 'create' : pick(['create', 'create', 'revoke', 'optOut']);
      if (action === 'create') {
        const owner = pick(tenants);
        const parties = [owner.id, ...some(tenants.filter((t) => t !== owner)).map((t) => t.id)];
        const [from, to] = [pick(PERIODS), pick(PERIODS)].sort();
        const protocol: ReferenceProtocol = {
          ownerTenantId: owner.id,
          id: randomUUID(),
          status: 'active',
          parties,
          measures: some(MEASURES),
          periodFrom: from,
          periodTo: to,
          phases: random() < 0.5 ? [] : [pick(['secondary', 'primary'])],
          disclosure: pick(['named', 'named', 'pseudonymised']),
          smallCohortThreshold: pick([0, 6]),
          validFrom: today,
          validTo: random() < 0.2 ? '2000-01-01' : '2099-12-31',
          optedOut: new Set(),
          // Some protocols share records too, some only them (no measure at all).
          records: RECORD_CATEGORIES.filter(() => random() < 0.5),
        };
        const measures = protocol.records!.length > 0 && random() < 0.25 ? [] : protocol.measures;
        protocol.measures = measures;
        if (protocol.validTo < protocol.validFrom) protocol.validFrom = '1999-01-01';
        await asTenant(
          owner,
          `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
          [owner.id, protocol.id, parties],
        );
        await asTenant(
          owner,
          `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
             period_from, period_to, phases, disclosure, small_cohort_threshold, valid_from, valid_to,
             scope_categories)
           values ($1, $2, 1, 'Random', 'Property test', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            owner.id,
            protocol.id,
            parties,
            protocol.measures,
            protocol.periodFrom,
            protocol.periodTo,
            protocol.phases,
            protocol.disclosure,
            protocol.smallCohortThreshold,
            protocol.validFrom,
            protocol.validTo,
            protocol.records,
          ],
        );
        const sign = (party: string) =>
          asTenant(
            tenants.find((t) => t.id === party)!,
            'select protocol_sign($1, $2, 1)',
            [owner.id, protocol.id],
          );
        if (protocol.validTo < today) {
          // Past its end date: the first signature settles it as expired; no more can be signed.
          await sign(parties[0]);
          await expect(sign(parties[1])).rejects.toThrow(/expired protocol cannot be signed/);
          protocol.status = 'expired';
        } else {
          for (const party of parties) await sign(party);
        }
        protocols.push(protocol);
      } else if (action === 'revoke') {
        const protocol = pick(protocols);
        const owner = tenants.find((t) => t.id === protocol.ownerTenantId)!;
        await asTenant(
          owner,
          `update protocols set status = 'revoked', version_in_force = null where tenant_id = $1 and id = $2`,
          [owner.id, protocol.id],
        );
        await asTenant(owner, 'select protocol_settle($1, $2)', [owner.id, protocol.id]);
        protocol.status = 'revoked';
      } else {
        const protocol = pick(protocols);
        const school = pick(schools.filter((s) => protocol.parties.includes(s.tenantId)));
        const tenant = tenants.find((t) => t.id === school.tenantId)!;
        await asTenant(
          tenant,
          `insert into protocol_opt_outs (tenant_id, protocol_owner_id, protocol_id, urn)
           values ($1, $2, $3, $4) on conflict do nothing`,
          [tenant.id, protocol.ownerTenantId, protocol.id, school.urn],
        );
        await asTenant(tenant, 'select protocol_settle($1, $2)', [
          protocol.ownerTenantId,
          protocol.id,
        ]);
        (protocol.optedOut as Set<string>).add(`${school.tenantId}:${school.urn}`);
      }

      if (process.env.DEBUG_SHARING) {
        console.log(
          JSON.stringify(await db.query('select status, version_in_force from protocols')),
        );
        console.log(JSON.stringify(await db.query('select count(*) from sharing_grants')));
        console.log(
          JSON.stringify(
            await db.query(
              'select count(*), min(valid_from)::text, max(valid_to)::text from sharing_reach',
            ),
          ),
        );
      }
      for (const reader of tenants) {
        const seen = await asTenant<{ key: string }>(
          reader,
          `select tenant_id || ':' || urn || ':' || measure || ':' || time_period as key
           from observations where tenant_id <> $1`,
          [reader.id],
        );
        const expected = cells
          .filter((c) => c.tenantId !== reader.id)
          .filter((c) =>
            mayReadNamedCell(
              reader.id,
              c,
              schools.find((s) => s.tenantId === c.tenantId && s.urn === c.urn)!,
              protocols,
              today,
            ),
          )
          .map((c) => `${c.tenantId}:${c.urn}:${c.measure}:${c.period}`);
        expect({
          round,
          action,
          reader: reader.laCode,
          keys: seen.map((r) => r.key).sort(),
        }).toEqual({
          round,
          action,
          reader: reader.laCode,
          keys: expected.sort(),
        });
        // Schools follow the same rule: a partner's school is readable only with a named grant.
        const seenSchools = await asTenant<{ key: string }>(
          reader,
          `select tenant_id || ':' || urn as key from schools where tenant_id <> $1`,
          [reader.id],
        );
        const expectedSchools = schools
          .filter((s) => s.tenantId !== reader.id)
          .filter((s) =>
            protocols.some(
              (p) =>
                p.status === 'active' &&
                p.disclosure === 'named' &&
                p.validTo >= today &&
                p.parties.includes(reader.id) &&
                p.parties.includes(s.tenantId) &&
                (p.phases.length === 0 || p.phases.includes(s.phase ?? '')) &&
                !p.optedOut.has(`${s.tenantId}:${s.urn}`),
            ),
          )
          .map((s) => `${s.tenantId}:${s.urn}`);
        expect(seenSchools.map((r) => r.key).sort()).toEqual(expectedSchools.sort());
        // Targets and judgements: only under a named protocol whose scope names them.
        const seenRecords = await asTenant<{ id: string }>(
          reader,
          `select id from target_events where tenant_id <> $1
           union all select id from school_judgements where tenant_id <> $1`,
          [reader.id],
        );
        const expectedRecords = records
          .filter((r) => r.tenantId !== reader.id)
          .filter((r) => mayReadRecord(reader.id, r, schools, protocols, today))
          .map((r) => r.id);
        partnerRecordsSeen += seenRecords.length;
        expect({
          round,
          action,
          reader: reader.laCode,
          records: seenRecords.map((r) => r.id).sort(),
        }).toEqual({ round, action, reader: reader.laCode, records: expectedRecords.sort() });
      }
    }
    expect(partnerRecordsSeen).toBeGreaterThan(0);
    // Some round let a partner read records, and some protocol in force named none.
    expect(protocols.some((p) => p.status === 'active' && (p.records ?? []).length > 0)).toBe(true);
    // The rounds exercised every kind of change.
    expect(protocols.some((p) => p.status === 'revoked')).toBe(true);
    expect(protocols.some((p) => p.optedOut.size > 0)).toBe(true);
  });

  it('shares nothing when an owner marks its own protocol active without the parties’ signatures', async () => {
    const [owner, partner] = [tenants[0], tenants[1]];
    const id = randomUUID();
    await asTenant(
      owner,
      `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'draft', $3)`,
      [owner.id, id, [owner.id, partner.id]],
    );
    await asTenant(
      owner,
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
         period_from, period_to, disclosure, valid_from, valid_to)
       values ($1, $2, 1, 'Forged', 'Self-activation', $3, $4, 201617, 201819, 'named', current_date, '2099-12-31')`,
      [owner.id, id, [owner.id, partner.id], MEASURES],
    );
    await asTenant(
      owner,
      `update protocols set status = 'active', version_in_force = 1 where id = $1`,
      [id],
    );
    await asTenant(owner, 'select protocol_settle($1, $2)', [owner.id, id]);
    const grants = await db.query('select 1 from sharing_grants where protocol_id = $1', [id]);
    expect(grants).toEqual([]);

    // Nor can anyone write into the log of an owner that grants it nothing under that protocol.
    await expect(
      asTenant(
        owner,
        `insert into access_log (tenant_id, reader_tenant_id, protocol_owner_id, protocol_id, protocol_version,
           operation, urns, measures, row_count) values ($1, $2, $2, $3, 1, 'forged', '{}', '{}', 0)`,
        [partner.id, owner.id, id],
      ),
    ).rejects.toThrow(/row-level security/);
  });
});

import { randomUUID } from 'node:crypto';

import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

/**
 * Issue 10, finding 8d: revoking a protocol marks stale only the grantee's comparison runs that
 * could have read under it. Hampshire already reads North Yorkshire under one protocol; a second
 * protocol between them is made and revoked. A run finished before the second existed read
 * nothing under it and stays fresh; a run that read North Yorkshire's schools while it was in
 * force goes stale; a run of Hampshire's own data only is never touched.
 */
describe('stale comparison runs after a revocation', () => {
  let db: TestDatabase;
  let hants: SeededTenant;
  let nyorks: SeededTenant;

  const asTenant = (tenant: SeededTenant, sql: string, params: unknown[] = []) =>
    db.asTenant(tenant.id, sql, params, tenant.users.la_admin!.id);

  /** A named protocol Hampshire owns with North Yorkshire, signed by both: active. */
  async function activeProtocol(): Promise<string> {
    const id = randomUUID();
    const parties = [hants.id, nyorks.id];
    await asTenant(
      hants,
      `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
      [hants.id, id, parties],
    );
    await asTenant(
      hants,
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
         period_from, period_to, disclosure, valid_from, valid_to)
       values ($1, $2, 1, 'Secondary', 'Stale runs', $3, '{ks4_attainment8}', 201819, 201819, 'named',
         current_date, current_date + 365)`,
      [hants.id, id, parties],
    );
    for (const party of [hants, nyorks]) {
      await asTenant(party, 'select protocol_sign($1, $2, 1)', [hants.id, id]);
    }
    return id;
  }

  /** A completed run of Hampshire's that read the given authorities' datasets, finished now. */
  async function finishedRun(readFrom: SeededTenant[]): Promise<string> {
    const id = randomUUID();
    await db.query(
      `insert into comparison_runs (tenant_id, id, method, method_version, parameters, dataset_versions,
         status, result_key, created_at, started_at, finished_at)
       values ($1, $2, 'context-knn-v1', 1, '{}', $3, 'completed', $4, clock_timestamp(), clock_timestamp(),
         clock_timestamp())`,
      [
        hants.id,
        id,
        JSON.stringify(readFrom.map((t) => ({ tenantId: t.id, datasetId: randomUUID() }))),
        randomUUID().replace(/-/g, '').padEnd(64, '0'),
      ],
    );
    return id;
  }

  const stale = async (id: string) =>
    (await db.query<{ stale: boolean }>('select stale from comparison_runs where id = $1', [id]))[0]
      .stale;

  beforeAll(async () => {
    db = await createTestDatabase();
    const secondary = (urn: number) => ({ urn, name: `School ${urn}`, phase: 'Secondary' });
    hants = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [secondary(116101)],
    });
    nyorks = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [secondary(121101), secondary(121102)],
    });
  });

  afterAll(() => db?.drop());

  it('marks stale only the runs that read the partner while the revoked protocol was in force', async () => {
    await activeProtocol();
    const before = await finishedRun([hants, nyorks]);
    const second = await activeProtocol();
    const during = await finishedRun([hants, nyorks]);
    const ownOnly = await finishedRun([hants]);

    // As the API revokes: the owner's step and the settling in one definer call.
    await asTenant(hants, `select protocol_owner_step($1, 'revoke', 'revoked', null, null)`, [
      second,
    ]);

    expect(await stale(before)).toBe(false);
    expect(await stale(during)).toBe(true);
    expect(await stale(ownOnly)).toBe(false);
  });
});

import { randomUUID } from 'node:crypto';

import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

/**
 * Targets and judgements are histories (docs/targets.md): the app role may add to them and read
 * its own tenant's, never change or remove a row, never write another tenant's — checked with
 * hand-written SQL as the app role, below any service.
 */
describe('target and judgement records at the database floor', () => {
  let db: TestDatabase;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [{ urn: 116001, name: 'A' }],
    });
    b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121001, name: 'B' }],
    });
  }, 300_000);

  afterAll(() => db.drop());

  const targetInsert = (tenant: string, urn: number, actor: string) =>
    db.asTenant(
      a.id,
      `insert into target_events (tenant_id, id, urn, measure, time_period, kind, action, value, source, actor_id, actor_role)
       values ($1, $2, $3, 'ks2_rwm_expected_pct', 201819, 'target', 'set', 80, 'api', $4, 'analyst') returning id`,
      [tenant, randomUUID(), urn, actor],
    );

  it('adds and reads its own rows, and nothing more', async () => {
    const [row] = await targetInsert(a.id, 116001, a.users.analyst!.id);
    expect(row).toBeDefined();
    await expect(db.asTenant(a.id, 'update target_events set value = 99')).rejects.toThrow(
      /permission denied/,
    );
    await expect(db.asTenant(a.id, 'delete from target_events')).rejects.toThrow(
      /permission denied/,
    );
    await expect(db.asTenant(a.id, 'delete from school_judgements')).rejects.toThrow(
      /permission denied/,
    );
    await expect(targetInsert(b.id, 121001, b.users.analyst!.id)).rejects.toThrow(
      /row-level security/,
    );
    expect(await db.asTenant(b.id, 'select id from target_events')).toEqual([]);
    expect(await db.query('select value from target_events')).toEqual([{ value: 80 }]);
  });

  it('keeps a returned proposal honest: a reason, and one answer per proposal', async () => {
    const actor = a.users.la_admin!.id;
    const proposal = randomUUID();
    const insert = (id: string, action: string, answers: string | null, reason: string | null) =>
      db.asTenant(
        a.id,
        `insert into target_events (tenant_id, id, urn, measure, time_period, kind, action, value, answers, reason, source, actor_id, actor_role)
         values ($1, $2, 116001, 'ks2_rwm_expected_pct', 201819, 'target', $3, 75, $4, $5, 'api', $6, 'la_admin')`,
        [a.id, id, action, answers, reason, actor],
      );
    await insert(proposal, 'proposed', null, null);
    await expect(insert(randomUUID(), 'returned', proposal, ' ')).rejects.toThrow(
      /check constraint/,
    );
    await insert(randomUUID(), 'agreed', proposal, null);
    await expect(insert(randomUUID(), 'returned', proposal, 'too late')).rejects.toThrow(
      /target_events_one_answer/,
    );
  });
});

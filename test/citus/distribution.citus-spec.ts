import { Client } from 'pg';

import { APP_ROLE, CITUS_REFERENCE_TABLES, OWNER_ROLE, SHARING_ROLE } from '@schoolbench/database';
import { tenantSettingSql } from '@schoolbench/tenancy';
import { createTestDatabase, seedTenant, type TestDatabase } from '@schoolbench/testing';

/**
 * What only a Citus cluster can show (`npm run test:citus`): the schema is distributed as
 * docs/scaling.md §9 says, row-level security holds on every shard placement, and the tenant
 * setting reaches the workers only as `SET LOCAL`.
 */
describe('SchoolBench distributed on Citus', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('places platform tables as reference tables and every tenant table on tenant_id, co-located', async () => {
    const tables = await db.query<{
      name: string;
      kind: string;
      column: string | null;
      colocation: number;
    }>(
      `select table_name::text as name, citus_table_type as kind, distribution_column as column,
              colocation_id as colocation from citus_tables order by 1`,
    );
    const tenantOwned = await db.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_attribute a on a.attrelid = c.oid
       where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'tenant_id'`,
    );
    const reference = tables.filter((t) => t.kind === 'reference').map((t) => t.name);
    expect(reference.sort()).toEqual([...CITUS_REFERENCE_TABLES].sort());
    const distributed = tables.filter((t) => t.kind === 'distributed');
    expect(distributed.map((t) => t.name).sort()).toEqual(
      tenantOwned
        .map((t) => t.name)
        .filter((n) => !reference.includes(n))
        .sort(),
    );
    expect(new Set(distributed.map((t) => t.column))).toEqual(new Set(['tenant_id']));
    expect(new Set(distributed.map((t) => t.colocation)).size).toBe(1);
  });

  it('has RLS enabled and forced, with the same policies (restrictive ones restrictive), on every shard placement', async () => {
    const distributed = await db.query<{ name: string }>(
      "select table_name::text as name from citus_tables where citus_table_type = 'distributed'",
    );
    for (const { name } of distributed) {
      const [coordinator] = await db.query<{ policies: string }>(
        `select string_agg(polname || ':' || polpermissive, ',' order by polname) as policies
         from pg_policy where polrelid = $1::regclass`,
        [name],
      );
      const shards = await db.query<{ result: string }>(
        `select distinct result from run_command_on_shards($1, $$
           select relrowsecurity::text || '|' || relforcerowsecurity::text || '|' ||
                  (select string_agg(polname || ':' || polpermissive, ',' order by polname)
                   from pg_policy where polrelid = '%1$s'::regclass)
           from pg_class where oid = '%1$s'::regclass$$)`,
        [name],
      );
      expect({ name, shards: shards.map((s) => s.result) }).toEqual({
        name,
        shards: [`true|true|${coordinator.policies}`],
      });
    }
  });

  it('has the roles on every worker, the app role neither superuser nor able to bypass RLS', async () => {
    const rows = await db.query<{ result: string }>(
      `select result from run_command_on_workers($$
         select string_agg(rolname || ':' || rolsuper || ':' || rolbypassrls, ' ' order by rolname)
         from pg_roles where rolname in ('${APP_ROLE}', '${OWNER_ROLE}', '${SHARING_ROLE}')$$)`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.result).toBe(
        `${APP_ROLE}:false:false ${OWNER_ROLE}:false:false ${SHARING_ROLE}:false:true`,
      );
    }
  });

  it('reaches the workers with SET LOCAL; set_config() does not, and the shards then refuse', async () => {
    const a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [{ urn: 116001, name: 'A Primary' }],
    });
    const b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121001, name: 'B Primary' }],
    });
    const app = new Client({ connectionString: db.appUrl });
    await app.connect();
    try {
      await app.query('begin');
      for (const statement of tenantSettingSql(a.id)) await app.query(statement);
      // No tenant predicate: the query goes to every shard, each filters by the forwarded setting.
      const seen = await app.query<{ urn: number }>('select urn from schools order by urn');
      await app.query('commit');
      expect(seen.rows).toEqual([{ urn: 116001 }]);

      await app.query('begin');
      await app.query("select set_config('app.tenant_id', $1, true)", [b.id]);
      await expect(app.query('select urn from schools')).rejects.toThrow(
        /tenant context is not set/,
      );
      await app.query('rollback');
    } finally {
      await app.end();
    }
  });
});

import { Client } from 'pg';

import { APP_ROLE } from '@schoolbench/database';
import { tenantSettingSql } from '@schoolbench/tenancy';
import { seedTenant, type SeededTenant, type TestDatabase } from '@schoolbench/testing';

export interface RowLevelSecurityFixture {
  db: TestDatabase;
  /** Two authorities, each with schools and one user per role. */
  a: SeededTenant;
  b: SeededTenant;
}

/**
 * Tenant isolation at the floor: PostgreSQL itself, with hand-written SQL as the app role. If RLS
 * is turned off on any tenant table, or the services connect as the owner, these checks fail.
 * Registers its tests in the calling `describe`; `fixture` is read once that describe's own
 * `beforeAll` has run. Used on a fresh database and on one restored from a backup.
 */
export function rowLevelSecurityChecks(fixture: () => RowLevelSecurityFixture): void {
  let db: TestDatabase;
  let a: SeededTenant;
  let b: SeededTenant;
  let app: Client;

  beforeAll(async () => {
    ({ db, a, b } = fixture());
    app = new Client({ connectionString: db.appUrl });
    await app.connect();
  });

  afterAll(async () => {
    await app?.end();
  });

  async function asTenant<T>(tenantId: string, sql: string, params: unknown[] = []): Promise<T[]> {
    await app.query('begin');
    try {
      for (const statement of tenantSettingSql(tenantId)) await app.query(statement);
      return (await app.query(sql, params)).rows as T[];
    } finally {
      await app.query('rollback');
    }
  }

  /** The database's public reference tenant, seeded with one school when it has none. */
  async function publicTenant(on: TestDatabase): Promise<{ id: string }> {
    const [existing] = await on.query<{ id: string }>(
      "select id from tenants where kind = 'public'",
    );
    if (existing) {
      await on.query(
        "insert into schools (tenant_id, urn, name) values ($1, 100000, 'Public') on conflict do nothing",
        [existing.id],
      );
      return existing;
    }
    return seedTenant(on, {
      kind: 'public',
      name: 'DfE published',
      schools: [{ urn: 100000, name: 'Public' }],
      roles: [],
    });
  }

  it('connects as the app role, which is no superuser, cannot bypass RLS and owns no table', async () => {
    const [me] = (
      await app.query<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
        'select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user',
      )
    ).rows;
    expect(me).toEqual({ current_user: APP_ROLE, rolsuper: false, rolbypassrls: false });
    const owned = await db.query(
      `select c.relname from pg_class c join pg_roles r on r.oid = c.relowner
       where r.rolname = $1 and c.relnamespace = 'public'::regnamespace`,
      [APP_ROLE],
    );
    expect(owned).toEqual([]);
  });

  it('has RLS enabled and forced on every table with a tenant_id column', async () => {
    const tables = await db.query<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }>(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity
       from pg_class c
       where c.relkind in ('r', 'p') and c.relnamespace = 'public'::regnamespace
         and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
       order by c.relname`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const t of tables) {
      expect({
        table: t.relname,
        enabled: t.relrowsecurity,
        forced: t.relforcerowsecurity,
      }).toEqual({
        table: t.relname,
        enabled: true,
        forced: true,
      });
    }
  });

  it("returns none of another tenant's rows to hand-written SQL", async () => {
    for (const table of [
      'schools',
      'users',
      'api_keys',
      'refresh_tokens',
      'login_directory',
      'api_key_directory',
    ]) {
      const rows = await asTenant<{ tenant_id: string }>(a.id, `select tenant_id from ${table}`);
      expect(rows.filter((r) => r.tenant_id !== a.id)).toEqual([]);
    }
    const bySchool = await asTenant(a.id, 'select * from schools where urn = $1', [
      b.schools[0].urn,
    ]);
    expect(bySchool).toEqual([]);
    const byUser = await asTenant(a.id, 'select * from users where id = $1', [
      b.users.la_admin!.id,
    ]);
    expect(byUser).toEqual([]);
    const own = await asTenant<{ urn: number }>(a.id, 'select urn from schools order by urn');
    expect(own.map((r) => r.urn)).toEqual(a.schools.map((s) => s.urn).sort((x, y) => x - y));
  });

  it("refuses to write into another tenant's rows", async () => {
    await expect(
      asTenant(a.id, "insert into schools (tenant_id, urn, name) values ($1, 999999, 'x')", [b.id]),
    ).rejects.toThrow(/row-level security/);
    const updated = await asTenant<{ urn: number }>(
      a.id,
      "update schools set name = 'hijacked' where tenant_id = $1 returning urn",
      [b.id],
    );
    expect(updated).toEqual([]);
    const deleted = await asTenant(a.id, 'delete from users where tenant_id = $1 returning id', [
      b.id,
    ]);
    expect(deleted).toEqual([]);
    expect(await db.query("select 1 from schools where name = 'hijacked'")).toEqual([]);
  });

  it('raises when a tenant-scoped table is read outside a tenant transaction', async () => {
    await expect(app.query('select * from schools')).rejects.toThrow(/tenant context is not set/);
    await app.query('begin');
    for (const statement of tenantSettingSql(a.id)) await app.query(statement);
    await app.query('commit');
    // The setting was transaction-local: the pooled connection does not carry it on.
    await expect(app.query('select * from users')).rejects.toThrow(/tenant context is not set/);
  });

  it('reads the public reference tenant but cannot write to it', async () => {
    const pub = await publicTenant(db);
    const rows = await asTenant<{ urn: number }>(
      a.id,
      'select urn from schools where tenant_id = $1',
      [pub.id],
    );
    expect(rows.map((r) => r.urn)).toContain(100000);
    const updated = await asTenant(
      a.id,
      "update schools set name = 'x' where tenant_id = $1 returning urn",
      [pub.id],
    );
    expect(updated).toEqual([]);
    await expect(
      asTenant(a.id, "insert into schools (tenant_id, urn, name) values ($1, 100001, 'x')", [
        pub.id,
      ]),
    ).rejects.toThrow(/row-level security/);
  });

  it('resolves sign-in and API-key lookups only through the security-definer functions', async () => {
    expect((await app.query('select * from login_directory')).rows).toEqual([]);
    expect(
      await asTenant(a.id, 'select * from login_directory where tenant_id = $1', [b.id]),
    ).toEqual([]);
    const found = await app.query('select * from auth_resolve_login($1)', [b.users.analyst!.email]);
    expect(found.rows).toEqual([{ tenant_id: b.id, user_id: b.users.analyst!.id }]);
  });
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { TenantContext, TenantTransactions } from '@schoolbench/tenancy';
import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

/**
 * The request's shared transaction against a real database as the app role: one transaction for
 * every `run` of the request, the tenant still enforced by row-level security, and the connection
 * released however the request ends.
 */
describe('RequestScope', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let cls: ClsService;
  let tx: TenantTransactions;
  let context: TenantContext;
  let a: SeededTenant;
  let b: SeededTenant;

  const busyConnections = async () => {
    const monitor = new Client({ connectionString: db.adminUrl });
    await monitor.connect();
    try {
      const { rows } = await monitor.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database()
           and usename = 'schoolbench_app' and state <> 'idle'`,
      );
      return rows[0].n;
    } finally {
      await monitor.end();
    }
  };

  /** A request as `tenant`'s first user: the scope begun, `work` run, the scope ended. */
  function asRequest<T>(tenant: SeededTenant, work: () => Promise<T>) {
    return cls.run(async () => {
      const user = tenant.users.analyst!;
      context.setPrincipal({
        tenantId: tenant.id,
        userId: user.id,
        role: user.role,
        schoolUrn: null,
        via: 'password',
      });
      const scope = tx.beginRequest('REPEATABLE READ')!;
      let result: T | undefined;
      let error: unknown;
      try {
        result = await work();
      } catch (e) {
        error = e;
      }
      const outcome = await scope.end('commit');
      return { result, error, outcome };
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedTenant(db, { laCode: '850', name: 'A', schools: [{ urn: 116001, name: 'A1' }] });
    b = await seedTenant(db, { laCode: '815', name: 'B', schools: [{ urn: 121901, name: 'B1' }] });
    dataSource = new DataSource({ type: 'postgres', url: db.appUrl, poolSize: 2 });
    await dataSource.initialize();
    cls = new ClsService(new AsyncLocalStorage());
    context = new TenantContext(cls);
    tx = new TenantTransactions(dataSource, context);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('shares one transaction, with one snapshot, across the request’s parallel work', async () => {
    const { result, outcome } = await asRequest(a, () =>
      Promise.all(
        [1, 2, 3].map(() =>
          tx.run(async (m) => {
            const [row] = await m.query<{ xid: string; iso: string }[]>(
              `select txid_current()::text as xid, current_setting('transaction_isolation') as iso`,
            );
            const schools = await m.query<{ urn: number }[]>('select urn from schools');
            return { ...row, schools: schools.map((s) => s.urn) };
          }),
        ),
      ),
    );
    expect(outcome).toMatchObject({ opened: true, committed: true });
    expect(new Set(result!.map((r) => r.xid)).size).toBe(1);
    expect(result!.every((r) => r.iso === 'repeatable read')).toBe(true);
    // Row-level security still holds inside it: tenant A's school only.
    expect(result![0].schools).toEqual([116001]);
    expect(await busyConnections()).toBe(0);
  });

  it('runs the sign-in lookup as the opening statement, in the tenant, in one round trip', async () => {
    const user = b.users.analyst!;
    const { result } = await asRequest(b, async () => {
      const rows = await tx.lookupAs<{ urn: number }>(b.id, user.id, 'select urn from schools');
      const joined = await tx.run((m) => m.query<{ urn: number }[]>('select urn from schools'));
      return { rows, joined };
    });
    expect(result!.rows).toEqual([{ urn: 121901 }]);
    expect(result!.joined).toEqual([{ urn: 121901 }]);
  });

  it('refuses ids that are not UUIDs before any SQL is built from them', async () => {
    await expect(tx.lookupAs(a.id, "x'; drop table schools; --", 'select 1')).rejects.toThrow(
      /is not a UUID/,
    );
  });

  it('reports a transaction aborted by a failed statement as not committed, and releases it', async () => {
    const { error, outcome } = await asRequest(a, () =>
      tx.run(async (m) => {
        await m.query('select 1');
        await m.query('select 1 / 0');
      }),
    );
    expect(String(error)).toMatch(/division by zero/);
    expect(outcome).toMatchObject({ opened: true, committed: false });
    expect(await busyConnections()).toBe(0);
    // The pool's connections are clean afterwards: outside any transaction and any tenant.
    for (let i = 0; i < 3; i++) {
      const [row] = await dataSource.query<{ tenant: string | null }[]>(
        "select nullif(current_setting('app.tenant_id', true), '') as tenant",
      );
      expect(row.tenant).toBeNull();
    }
  });

  it('keeps work named for another tenant, and work kept apart, in transactions of their own', async () => {
    const { result } = await asRequest(a, async () => {
      const own = await tx.run((m) =>
        m.query<{ xid: string }[]>('select txid_current()::text as xid'),
      );
      const other = await tx.inTenant(b.id, (m) =>
        m.query<{ xid: string; urn: number }[]>(
          'select txid_current()::text as xid, urn from schools',
        ),
      );
      const apart = await tx.inTenantApart(a.id, (m) =>
        m.query<{ xid: string }[]>('select txid_current()::text as xid'),
      );
      return { own: own[0].xid, other: other[0], apart: apart[0].xid };
    });
    expect(result!.other.urn).toBe(121901);
    expect(new Set([result!.own, result!.other.xid, result!.apart]).size).toBe(3);
  });

  it('opens nothing for a request that never touches its tenant', async () => {
    const { outcome } = await asRequest(a, () => Promise.resolve(1));
    expect(outcome).toEqual({ opened: false, committed: false });
  });
});

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import {
  errorCode,
  graphql,
  seedProtocol,
  seedTenant,
  signIn,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/**
 * North Yorkshire leaves: suspended at once, its protocols end through the lifecycle, partners lose
 * its data and their runs on it turn stale, clubs lose its schools; then every row with its
 * tenant_id is deleted (checked over every table the catalog lists) and no other row changes.
 */
describe('an authority leaves', () => {
  let api: ApiUnderTest;
  let db: TestDatabase;
  let a: SeededTenant;
  let leaver: SeededTenant;
  let c: SeededTenant;
  let output = '';
  const ids = {
    shared: '', // owned by Hampshire, parties Hampshire, North Yorkshire, Surrey
    leaversOwn: '', // owned by North Yorkshire with Hampshire
    untouched: '', // Surrey with Hampshire only
    club: randomUUID(),
    runOnLeaver: randomUUID(),
    runOnOwnData: randomUUID(),
    partnersLogEntry: randomUUID(),
  };
  let leaverToken = '';
  let leaverKey = '';

  /** The operator CLI in its own process; returns its exit code, its output in `output`. */
  function cli(...args: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [
          join(__dirname, '../integration/support/run-typescript.js'),
          join(__dirname, 'support/cli-process.ts'),
          ...args,
        ],
        { env: process.env },
        (error, stdout, stderr) => {
          output = stdout + stderr;
          if (!error) resolve(0);
          else if (typeof error.code === 'number') resolve(error.code);
          else reject(new Error(`The CLI did not run: ${error.message}`));
        },
      );
    });
  }

  const partnerUrns = async (tenant: SeededTenant): Promise<number[]> => {
    const token = await signIn(
      api.app,
      tenant.users.analyst!.email,
      tenant.users.analyst!.password,
    );
    const res = await graphql<{ schools: { nodes: { urn: number }[] } }>(
      api.app,
      '{ schools(source: PARTNERS, first: 50) { nodes { urn } } }',
      {},
      { token },
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.schools.nodes.map((n) => n.urn).sort((x, y) => x - y);
  };

  /** Rows of every table the catalog lists that do not belong to the leaver, fingerprinted. */
  async function othersRows(): Promise<Record<string, string>> {
    const tables = await db.query<{ relname: string; has_tenant: boolean }>(
      `select c.relname, exists (select 1 from pg_attribute a where a.attrelid = c.oid
                                  and a.attname = 'tenant_id' and not a.attisdropped) as has_tenant
       from pg_class c where c.relkind in ('r', 'p') and c.relnamespace = 'public'::regnamespace
       order by c.relname`,
    );
    const result: Record<string, string> = {};
    for (const t of tables) {
      // The leaver's tenant row records its exit and is expected to change; every other row not.
      const where = t.has_tenant
        ? 'where tenant_id <> $1'
        : t.relname === 'tenants'
          ? 'where id <> $1'
          : 'where $1::uuid is not null';
      const [row] = await db.query<{ n: string; h: string | null }>(
        `select count(*) as n, md5(string_agg(x::text, '|' order by x::text)) as h from ${t.relname} x ${where}`,
        [leaver.id],
      );
      result[t.relname] = `${row.n}:${row.h ?? ''}`;
    }
    return result;
  }

  beforeAll(async () => {
    api = await startApiUnderTest();
    db = api.db;
    a = api.a;
    leaver = api.b;
    c = await seedTenant(db, {
      laCode: '936',
      name: 'Surrey',
      schools: [{ urn: 125001, name: 'Surrey Primary C' }],
    });
    ids.shared = await seedProtocol(db, a, [a, leaver, c], [a, leaver, c], { title: 'Shared' });
    ids.leaversOwn = await seedProtocol(db, leaver, [leaver, a], [leaver, a], { title: 'Own' });
    ids.untouched = await seedProtocol(db, c, [c, a], [c, a], { title: 'Untouched' });
    await db.query(
      `insert into clubs (tenant_id, id, name, protocol_owner_id, protocol_id, parties)
       values ($1, $2, 'Benchmarking club', $1, $3, $4)`,
      [a.id, ids.club, ids.shared, [a.id, leaver.id, c.id]],
    );
    for (const [member, urn] of [
      [a, a.schools[0].urn],
      [leaver, leaver.schools[0].urn],
      [c, c.schools[0].urn],
    ] as const) {
      await db.query(
        `insert into club_members (tenant_id, club_id, member_tenant_id, urn, parties) values ($1, $2, $3, $4, $5)`,
        [a.id, ids.club, member.id, urn, [a.id, leaver.id, c.id]],
      );
    }
    for (const [run, partner] of [
      [ids.runOnLeaver, leaver],
      [ids.runOnOwnData, a],
    ] as const) {
      await db.query(
        `insert into comparison_runs (tenant_id, id, requested_by, method, method_version, parameters,
           dataset_versions, status, progress, result_key, finished_at)
         values ($1, $2, $3, 'context-knn-v1', 1, '{}', $4, 'completed', 100, $5, now())`,
        [
          a.id,
          run,
          a.users.analyst!.id,
          JSON.stringify([{ tenantId: partner.id, datasetId: randomUUID() }]),
          run.replace(/-/g, '').padEnd(64, '0'),
        ],
      );
    }
    // Hampshire's log of a read of its data by North Yorkshire (kept), and North Yorkshire's log
    // of a read of its data by Hampshire (deleted with it).
    await db.query(
      `insert into access_log (tenant_id, id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
         protocol_version, operation, urns, measures, row_count)
       values ($1, $2, $3, $4, $1, $5, 1, 'Query.schools', $6, '{}', 1),
              ($3, gen_random_uuid(), $1, $7, $1, $5, 1, 'Query.schools', $8, '{}', 1)`,
      [
        a.id,
        ids.partnersLogEntry,
        leaver.id,
        leaver.users.analyst!.id,
        ids.shared,
        [a.schools[0].urn],
        a.users.analyst!.id,
        [leaver.schools[0].urn],
      ],
    );
    leaverToken = await signIn(
      api.app,
      leaver.users.analyst!.email,
      leaver.users.analyst!.password,
    );
    const key = await graphql<{ createApiKey: { secret: string } }>(
      api.app,
      'mutation { createApiKey(name: "etl") { secret } }',
      {},
      { token: leaverToken },
    );
    leaverKey = key.data!.createApiKey.secret;
  });

  afterAll(() => api?.close());

  it('works for everyone before the exit', async () => {
    expect(await partnerUrns(a)).toEqual(expect.arrayContaining(leaver.schools.map((s) => s.urn)));
    const viaKey = await graphql(api.app, '{ me { user { role } } }', {}, { apiKey: leaverKey });
    expect(viaKey.data).toEqual({ me: { user: { role: 'analyst' } } });
  });

  it('suspends the leaver, ends its protocols with the reason, and partners lose its data', async () => {
    expect(
      await cli('tenant:exit', '--tenant', '815', '--reason', 'Joined a regional service'),
    ).toBe(0);
    expect(output).toMatch(/Exit of North Yorkshire \(815\) started/);

    // Its users and keys stop at once.
    await expect(
      signIn(api.app, leaver.users.la_admin!.email, leaver.users.la_admin!.password),
    ).rejects.toThrow(/Sign-in failed/);
    const withToken = await graphql(
      api.app,
      '{ me { user { role } } }',
      {},
      { token: leaverToken },
    );
    expect(errorCode(withToken)).toBe('UNAUTHENTICATED');
    const withKey = await graphql(api.app, '{ me { user { role } } }', {}, { apiKey: leaverKey });
    expect(errorCode(withKey)).toBe('UNAUTHENTICATED');

    // Partners see none of its schools; what they share among themselves stays.
    const seen = await partnerUrns(a);
    expect(seen).not.toEqual(expect.arrayContaining([leaver.schools[0].urn]));
    expect(seen).toContain(c.schools[0].urn);

    const protocols = await db.query<{ id: string; status: string }>(
      'select id, status from protocols order by id',
    );
    const status = Object.fromEntries(protocols.map((p) => [p.id, p.status]));
    expect(status).toEqual({
      [ids.shared]: 'suspended',
      [ids.leaversOwn]: 'revoked',
      [ids.untouched]: 'active',
    });
    // Every other party reads the ending and its reason in the protocol's history.
    const events = await db.asTenant<{ event: string; reason: string }>(
      c.id,
      `select event, detail->>'reason' as reason from protocol_events
       where tenant_id = $1 and protocol_id = $2 order by id desc limit 1`,
      [a.id, ids.shared],
    );
    expect(events).toEqual([
      {
        event: 'suspended',
        reason: 'North Yorkshire (815) left SchoolBench: Joined a regional service',
      },
    ]);

    const runs = await db.query<{ id: string; stale: boolean }>(
      'select id, stale from comparison_runs where tenant_id = $1',
      [a.id],
    );
    expect(Object.fromEntries(runs.map((r) => [r.id, r.stale]))).toEqual({
      [ids.runOnLeaver]: true,
      [ids.runOnOwnData]: false,
    });
    const members = await db.query<{ member_tenant_id: string }>(
      'select member_tenant_id from club_members where club_id = $1',
      [ids.club],
    );
    expect(members.map((m) => m.member_tenant_id).sort()).toEqual([a.id, c.id].sort());
  });

  it('keeps its rows through the retention period unless the operator confirms', async () => {
    expect(await cli('tenant:exit-delete', '--tenant', '815')).toBe(2);
    expect(output).toMatch(/are kept until .* confirm to delete them now/);
    expect(await cli('tenant:exit-delete', '--tenant', '815', '--now')).toBe(2);
    expect(output).toMatch(/add --confirm 815/);
    const [{ n }] = await db.query<{ n: string }>(
      'select count(*) as n from schools where tenant_id = $1',
      [leaver.id],
    );
    expect(Number(n)).toBe(leaver.schools.length);
  });

  it('deletes every row with its tenant_id, from every table, and changes no other row', async () => {
    const before = await othersRows();
    expect(await cli('tenant:exit-delete', '--tenant', '815', '--now', '--confirm', '815')).toBe(0);
    expect(output).toMatch(/Deleted \d+ rows of North Yorkshire \(815\)/);

    const tables = await db.query<{ relname: string }>(
      `select c.relname from pg_class c
       where c.relkind in ('r', 'p') and c.relnamespace = 'public'::regnamespace
         and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
       order by c.relname`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(20);
    const left: Record<string, number> = {};
    for (const { relname } of tables) {
      const [{ n }] = await db.query<{ n: string }>(
        `select count(*) as n from ${relname} where tenant_id = $1`,
        [leaver.id],
      );
      left[relname] = Number(n);
    }
    expect(left).toEqual(Object.fromEntries(tables.map((t) => [t.relname, 0])));
    expect(await othersRows()).toEqual(before);
  });

  it('keeps what other authorities hold about it, and its tombstone', async () => {
    const [tombstone] = await db.query<{
      status: string;
      la_code: string;
      exit_reason: string;
      exit_completed_at: Date | null;
      users: string;
    }>(
      `select status, la_code, exit_reason, exit_completed_at, (exit_deleted_rows->>'users') as users
       from tenants where id = $1`,
      [leaver.id],
    );
    expect(tombstone).toEqual({
      status: 'suspended',
      la_code: '815',
      exit_reason: 'Joined a regional service',
      exit_completed_at: expect.any(Date),
      users: String(Object.values(leaver.users).filter(Boolean).length),
    });
    // Hampshire's own record that North Yorkshire read its data, and North Yorkshire's signature
    // on Hampshire's protocol, stay with Hampshire.
    const log = await db.asTenant<{ reader_tenant_id: string }>(
      a.id,
      'select reader_tenant_id from access_log where id = $1',
      [ids.partnersLogEntry],
    );
    expect(log).toEqual([{ reader_tenant_id: leaver.id }]);
    const signatures = await db.query(
      'select 1 from protocol_signatures where tenant_id = $1 and signer_tenant_id = $2',
      [a.id, leaver.id],
    );
    expect(signatures).toHaveLength(1);
    // The others carry on.
    expect(await partnerUrns(a)).toContain(c.schools[0].urn);
  });
});

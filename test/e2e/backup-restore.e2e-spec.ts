import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { fingerprintsOf, readManifest, type BackupManifest } from '@schoolbench/database';
import {
  attachTestDatabase,
  createTestDatabase,
  graphql,
  seedDataset,
  seedProtocol,
  seedTenant,
  signIn,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The apps under test: the operator CLI makes the backup, the API must start on the restore.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';
import { rowLevelSecurityChecks } from '../integration/support/row-level-security-checks';
import { runCliCapturing } from './support/cli-in-process';

/**
 * `cli backup` of a database in use (a writer inserting throughout), `cli restore` into a new
 * database, and proof that the copy is the backup's snapshot exactly and works: row-level security,
 * the app role's grants, the sharing functions, the API.
 */
describe('backup and restore', () => {
  let db: TestDatabase;
  let restored: TestDatabase;
  let a: SeededTenant;
  let b: SeededTenant;
  let c: SeededTenant;
  /** Party to no protocol: what the row-level security checks need as "tenant A". */
  let d: SeededTenant;
  let manifest: BackupManifest;
  let folder: string;
  let pendingProtocol: string;
  let writes = { before: 0, total: 0 };
  let output = '';

  async function cli(...args: string[]): Promise<number> {
    const ran = await runCliCapturing(args);
    output = ran.output;
    return ran.code;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sb-backup-'));
    db = await createTestDatabase();
    db.useForServices();
    const schools = (base: number) =>
      [0, 1, 2].map((n) => ({ urn: base + n, name: `School ${base + n}` }));
    a = await seedTenant(db, { laCode: '850', name: 'Hampshire', schools: schools(116001) });
    b = await seedTenant(db, { laCode: '815', name: 'North Yorkshire', schools: schools(121001) });
    c = await seedTenant(db, { laCode: '936', name: 'Surrey', schools: schools(125001) });
    d = await seedTenant(db, { laCode: '872', name: 'Wokingham', schools: schools(110001) });
    for (const t of [a, b, c, d]) {
      await seedDataset(db, t, {
        fileName: `${t.laCode}.csv`,
        measures: [{ code: 'ks2_rwm_expected_pct', values: [61, 72, 55] }],
      });
    }
    const active = await seedProtocol(db, a, [a, b], [a, b]);
    pendingProtocol = await seedProtocol(db, a, [a, b, c], [a, b]);
    await db.query(
      `insert into comparison_runs (tenant_id, id, requested_by, method, method_version, parameters,
         dataset_versions, status, progress, result_key, finished_at)
       values ($1, $2, $3, 'context-knn-v1', 1, '{"k": 20}', $4, 'completed', 100, $5, now())`,
      [
        b.id,
        randomUUID(),
        b.users.analyst!.id,
        JSON.stringify([{ tenantId: a.id, datasetId: randomUUID() }]),
        'f'.repeat(64),
      ],
    );
    for (let i = 0; i < 5; i++) {
      await db.query(
        `insert into access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
           protocol_version, operation, urns, measures, row_count)
         values ($1, $2, $3, $1, $4, 1, 'Query.schools', $5, '{ks2_rwm_expected_pct}', 3)`,
        [a.id, b.id, b.users.analyst!.id, active, a.schools.map((s) => s.urn)],
      );
    }
  });

  afterAll(async () => {
    await restored?.drop();
    await db?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('backs up a database while a writer inserts, and the manifest is the dumped snapshot', async () => {
    // The writer: one observation after another, each its own transaction, until told to stop.
    const [{ dataset }] = await db.query<{ dataset: string }>(
      'select id as dataset from datasets where tenant_id = $1',
      [c.id],
    );
    let stop = false;
    let inserted = 0;
    const writer = (async () => {
      while (!stop) {
        const n = inserted + 1;
        await db.query(
          `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value)
           values ($1, $2, 125001, $3, 201819, 'Academic year', 'all', $4)`,
          [c.id, dataset, `writer_${n}`, n],
        );
        inserted = n; // counted once committed
      }
    })().finally(() => (stop = true));
    const writerReaches = async (n: number) => {
      while (inserted < n && !stop) await new Promise((r) => setTimeout(r, 10));
      if (inserted < n) await writer; // it stopped early: surface its error
    };
    await writerReaches(20);
    writes.before = inserted;
    const archive = join(folder, 'schoolbench.dump');
    const code = await cli('backup', '--out', archive);
    const atBackupEnd = inserted;
    await writerReaches(atBackupEnd + 20);
    stop = true;
    await writer;
    writes = { ...writes, total: inserted };
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Backed up/) });

    manifest = readManifest(archive)!;
    const writerRows = async (on: TestDatabase) =>
      Number(
        (
          await on.query<{ n: string }>(
            "select count(*) as n from observations where measure like 'writer_%'",
          )
        )[0].n,
      );
    const liveWriterRows = await writerRows(db);
    expect(liveWriterRows).toBe(writes.total);
    // 12 rows were seeded (4 authorities × 3 schools); the rest of the snapshot is the writer's.
    const backedUpWriterRows = manifest.tables.observations.rows - 12;
    // The snapshot fell inside the writer's run: some of its rows are in, the later ones are not.
    expect(backedUpWriterRows).toBeGreaterThanOrEqual(writes.before);
    expect(backedUpWriterRows).toBeLessThan(writes.total);
    expect(manifest.tables.access_log.rows).toBe(5);
    expect(manifest.tables.comparison_runs.rows).toBe(1);
    expect(manifest.tables.protocol_signatures.rows).toBe(4);
  });

  it('refuses to restore into an existing database, and writes nothing', async () => {
    const archive = join(folder, 'schoolbench.dump');
    expect(await cli('restore', archive, '--database', db.name)).toBe(2);
    expect(output).toMatch(new RegExp(`Database ${db.name} already exists`));
  });

  it('restores into a new database whose every table equals the snapshot', async () => {
    const archive = join(folder, 'schoolbench.dump');
    const name = `${db.name}_restored`;
    const code = await cli('restore', archive, '--database', name);
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringMatching(/tables match the backup's row counts and checksums/),
    });
    restored = attachTestDatabase(name);
    const tables = await fingerprintsOf(restored.adminUrl);
    expect(tables).toEqual(manifest.tables);
    expect(Object.keys(tables)).toEqual(
      expect.arrayContaining(['observations', 'access_log', 'protocols', 'comparison_runs']),
    );
  });

  it('compiles grants through the sharing functions on the restored database', async () => {
    // Surrey signs the protocol that was waiting for it: protocol_sign (a security-definer
    // function owned by the sharing role) activates it and compiles grants.
    const [signed] = await restored.asTenant<{ status: string }>(
      c.id,
      'select protocol_sign($1, $2, 1) as status',
      [a.id, pendingProtocol],
      c.users.la_admin!.id,
    );
    expect(signed.status).toBe('active');
    const seen = await restored.asTenant<{ urn: number }>(
      c.id,
      'select urn from schools where tenant_id = $1 order by urn',
      [a.id],
    );
    expect(seen.map((s) => s.urn)).toEqual(a.schools.map((s) => s.urn));
    const grants = await restored.query<{ privilege_type: string }>(
      `select privilege_type from information_schema.role_table_grants
       where grantee = 'schoolbench_app' and table_name = 'access_log' order by 1`,
    );
    expect(grants.map((g) => g.privilege_type)).toEqual(['INSERT', 'SELECT']);
  });

  describe('row-level security on the restored database', () => {
    // Surrey shares with Hampshire and North Yorkshire, never with Wokingham.
    rowLevelSecurityChecks(() => ({ db: restored, a: d, b: c }));
  });

  describe('the API on the restored database', () => {
    let app: INestApplication;

    beforeAll(async () => {
      restored.useForServices();
      app = await createApiApp();
      await app.init();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('is ready and serves a signed-in analyst', async () => {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      const token = await signIn(app, b.users.analyst!.email, b.users.analyst!.password);
      const res = await graphql(app, '{ schools(first: 10) { totalCount } }', {}, { token });
      expect(res.data).toEqual({ schools: { totalCount: 3 } });
    });
  });
});

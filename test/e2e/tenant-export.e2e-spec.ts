import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueEvents } from 'bullmq';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { extract } from 'tar-stream';

import { migrations } from '@schoolbench/database';
import { QUEUES, redisOptions } from '@schoolbench/queue';
import type { TenantExportManifest } from '@schoolbench/tenants';
import {
  createTestDatabase,
  errorCode,
  graphql,
  seedProtocol,
  seedTenant,
  signIn,
  snapshotDatabase,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The worker builds the archive (the operator CLI writes one too: support/cli-in-process).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { runCliCapturing } from './support/cli-in-process';

/**
 * Issue 15, point 2: an LA admin exports everything its authority owns. The archive's files match
 * its manifest, carry no secret and nothing of another authority; another authority can neither
 * see nor download it; the datasets re-imported into an empty authority give the same observations.
 */

const DATA = join(__dirname, '../../../shared/data');
const KS4 = '2016-2017_850_ks4final.csv';
const EXPORT_FIELDS =
  'id status progress message error fileName sizeBytes sha256 downloadPath files { path rows bytes sha256 } createdAt finishedAt expiresAt';

type Archive = Map<string, Buffer>;

/** A TenantExport as the tests select it (EXPORT_FIELDS). */
interface ExportView {
  id: string;
  status: string;
  progress: number;
  message: string | null;
  error: string | null;
  fileName: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  downloadPath: string | null;
  files: { path: string; rows: number | null; bytes: number; sha256: string }[];
}

async function readArchive(bytes: Buffer): Promise<Archive> {
  const files: Archive = new Map();
  const unpack = extract();
  const done = new Promise<void>((resolve, reject) => {
    unpack.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(parts));
        next();
      });
      stream.resume();
    });
    unpack.on('finish', resolve);
    unpack.on('error', reject);
  });
  Readable.from([bytes]).pipe(createGunzip()).pipe(unpack);
  await done;
  return files;
}

function manifestOf(archive: Archive): TenantExportManifest {
  return JSON.parse(archive.get('manifest.json')!.toString('utf8')) as TenantExportManifest;
}

/** Every file but the manifest is listed once, with its true size, SHA-256 and row count. */
function expectMatchesManifest(archive: Archive): TenantExportManifest {
  const manifest = manifestOf(archive);
  expect([...archive.keys()].filter((p) => p !== 'manifest.json').sort()).toEqual(
    manifest.files.map((f) => f.path).sort(),
  );
  for (const file of manifest.files) {
    const bytes = archive.get(file.path)!;
    expect({ path: file.path, bytes: bytes.length, sha256: sha256(bytes) }).toEqual({
      path: file.path,
      bytes: file.bytes,
      sha256: file.sha256,
    });
    if (file.path.endsWith('.csv')) {
      const rows: string[][] = parse(bytes, { bom: true });
      expect({ path: file.path, rows: rows.length - 1 }).toEqual({
        path: file.path,
        rows: file.rows,
      });
    }
  }
  return manifest;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function csvRecords(archive: Archive, path: string): Record<string, string>[] {
  return parse<Record<string, string>>(archive.get(path)!, { columns: true, bom: true });
}

describe('exporting everything a tenant owns', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let folder: string;
  let tokens: Record<'aAdmin' | 'aAnalyst' | 'bAdmin', string>;
  let bProtocol: string;
  let aProtocol: string;
  let aRun: string;
  let exportId: string;
  let archive: Archive;
  const progress: number[] = [];
  let output = '';

  async function cli(...args: string[]): Promise<number> {
    const ran = await runCliCapturing(args);
    output = ran.output;
    return ran.code;
  }

  const gql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql<Record<string, ExportView>>(api.app, query, variables, { token });

  async function upload(token: string, name: string, data: Buffer, meta?: Buffer) {
    let req = request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${token}`)
      .attach('file', data, name);
    if (meta) req = req.attach('meta', meta, name.replace(/\.csv$/, '.meta.csv'));
    const res = await req;
    expect({ name, failed: res.status >= 300 ? res.body : false }).toEqual({ name, failed: false });
    return res.body as { datasetId: string; status: string };
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sb-export-'));
    api = await startApiUnderTest({ LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    const { a, b, db } = api;
    const user = (t: SeededTenant, role: 'la_admin' | 'analyst') =>
      signIn(api.app, t.users[role]!.email, t.users[role]!.password);
    tokens = {
      aAdmin: await user(a, 'la_admin'),
      aAnalyst: await user(a, 'analyst'),
      bAdmin: await user(b, 'la_admin'),
    };

    // A's real DfE KS4 file (SUPP, NE and NP cells), then a corrected copy: two versions.
    const ks4 = readFileSync(join(DATA, 'dfe', 'la-850-hampshire', KS4));
    await upload(tokens.aAdmin, KS4, ks4);
    const lines = ks4.toString('utf8').split('\n');
    const schoolLine = lines.findIndex((l) => l.startsWith('1,'));
    await upload(
      tokens.aAdmin,
      KS4,
      Buffer.from(lines.filter((_, i) => i !== schoolLine).join('\n'), 'utf8'),
    );
    const versions = await db.query<{ version: number }>(
      "select version from datasets where tenant_id = $1 and file_name = $2 and status = 'published' order by 1",
      [a.id, KS4],
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2]);

    // An API key of A's (its secret must not be exported), protocols both ways, a run, targets.
    const key = await gql(tokens.aAdmin, 'mutation { createApiKey(name: "a-key") { secret } }');
    expect(key.errors).toBeUndefined();
    aProtocol = await seedProtocol(db, a, [a, b], [a, b], { title: 'A shares with B' });
    bProtocol = await seedProtocol(db, b, [b, a], [b, a], { title: 'B owns this protocol' });
    aRun = randomUUID();
    await db.query(
      `insert into comparison_runs (tenant_id, id, requested_by, method, method_version, parameters,
         dataset_versions, status, progress, result_key, finished_at)
       values ($1, $2, $3, 'context-knn-v1', 1, '{"k": 2}', '[]', 'completed', 100, $4, now())`,
      [a.id, aRun, a.users.analyst!.id, 'e'.repeat(64)],
    );
    await db.query(
      `insert into comparison_groups (tenant_id, run_id, urn, rank, neighbour_urn, neighbour_tenant_id, distance, feature_shares)
       values ($1, $2, 116001, 1, 116002, $1, 0.5, '{1}')`,
      [a.id, aRun],
    );
    await db.query(
      `insert into comparison_benchmarks (tenant_id, run_id, urn, measure, period, value, group_n, median)
       values ($1, $2, 116001, 'ks2_rwm_expected_pct', 201819, 61, 2, 63.5)`,
      [a.id, aRun],
    );
    await db.query(
      `insert into target_events (tenant_id, id, urn, measure, time_period, kind, action, value, source, actor_id, actor_role, reason)
       values ($1, $2, 116001, 'ks2_rwm_expected_pct', 201920, 'target', 'set', 70, 'api', $3, 'la_admin', '=HYPERLINK("http://evil")')`,
      [a.id, randomUUID(), a.users.la_admin!.id],
    );
    await db.query(
      `insert into school_judgements (tenant_id, id, urn, kind, judgement, judged_on, source, recorded_by, recorded_via)
       values ($1, $2, 116001, 'inspection', 'good', '2019-03-01', 'Ofsted report', $3, 'api')`,
      [a.id, randomUUID(), a.users.la_admin!.id],
    );
    // B reads A's data (A's access log) and A reads B's (B's access log: not A's to export).
    for (const [owner, reader, protocol] of [
      [a, b, aProtocol],
      [b, a, bProtocol],
    ] as const) {
      await db.query(
        `insert into access_log (tenant_id, reader_tenant_id, reader_user_id, protocol_owner_id, protocol_id,
           protocol_version, operation, urns, measures, row_count)
         values ($1, $2, $3, $1, $4, 1, 'Query.schools', $5, '{ks2_rwm_expected_pct}', 3)`,
        [owner.id, reader.id, reader.users.analyst!.id, protocol, owner.schools.map((s) => s.urn)],
      );
    }

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  }, 300_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('builds one archive from a queued job with progress, every file matching the manifest', async () => {
    const events = new QueueEvents(QUEUES.tenantExports, {
      connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: api.db.redisPrefix,
    });
    await events.waitUntilReady();
    events.on('progress', ({ data }) => progress.push(Number(data)));
    try {
      const requested = await gql(
        tokens.aAdmin,
        `mutation { requestTenantExport { ${EXPORT_FIELDS} } }`,
      );
      expect(requested.errors).toBeUndefined();
      exportId = requested.data!.requestTenantExport.id;
      expect(requested.data!.requestTenantExport).toMatchObject({
        status: 'QUEUED',
        downloadPath: null,
      });
      // Asked again while it is queued or building: the same export, not a second one.
      const again = await gql(tokens.aAdmin, 'mutation { requestTenantExport { id status } }');
      expect(again.data!.requestTenantExport.id).toBe(exportId);

      let current = {} as ExportView;
      const seen = new Set<string>();
      for (let i = 0; i < 600; i++) {
        const res = await gql(
          tokens.aAdmin,
          `query($id: ID!) { tenantExport(id: $id) { ${EXPORT_FIELDS} } }`,
          {
            id: exportId,
          },
        );
        expect(res.errors).toBeUndefined();
        current = res.data!.tenantExport;
        seen.add(current.status);
        if (current.status === 'READY' || current.status === 'FAILED') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(current).toMatchObject({
        status: 'READY',
        progress: 100,
        error: null,
        downloadPath: `/api/tenant-exports/${exportId}/archive`,
        fileName: expect.stringMatching(/^schoolbench-export-850-\d{4}-\d{2}-\d{2}\.tar\.gz$/),
      });
      // Progress was reported between the start and the end.
      expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
      expect(progress[progress.length - 1]).toBe(100);

      const res = await request(api.app.getHttpServer())
        .get(current.downloadPath!)
        .set('Authorization', `Bearer ${tokens.aAdmin}`)
        .buffer(true)
        .parse((r, done) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => done(null, Buffer.concat(parts)));
        });
      expect(res.status).toBe(200);
      const bytes = res.body as Buffer;
      expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({
        size: current.sizeBytes,
        sha256: current.sha256,
      });
      archive = await readArchive(bytes);
      const manifest = expectMatchesManifest(archive);
      expect(manifest).toMatchObject({
        format: 'schoolbench-tenant-export',
        tenant: { id: api.a.id, laCode: '850', name: 'Hampshire' },
        // The schema it was taken from: the last migration applied.
        schemaVersion: migrations[migrations.length - 1].name,
        catalogueVersion: expect.any(String),
      });
      expect(current.files).toEqual(manifest.files);
      // The download was recorded.
      const downloads = await api.db.query<{ user_id: string; via: string }>(
        'select user_id, via from tenant_export_downloads where tenant_id = $1 and export_id = $2',
        [api.a.id, exportId],
      );
      expect(downloads).toEqual([{ user_id: api.a.users.la_admin!.id, via: 'api' }]);
    } finally {
      await events.close();
    }
  }, 300_000);

  it('holds every dataset version, the register, protocols, clubs, targets, runs, users and the access log', async () => {
    const paths = [...archive.keys()];
    const ks4Files = paths.filter((p) => p.includes('2016-2017_850_ks4final'));
    expect(ks4Files.sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/v1\/2016-2017_850_ks4final\.csv$/),
        expect.stringMatching(/\/v1\/2016-2017_850_ks4final\.meta\.csv$/),
        expect.stringMatching(/\/v1\/2016-2017_850_ks4final\.source-codes\.csv$/),
        expect.stringMatching(/\/v2\/2016-2017_850_ks4final\.csv$/),
      ]),
    );
    for (const path of [
      'schools.csv',
      'users.csv',
      'user-events.csv',
      'api-keys.csv',
      'datasets.csv',
      'protocols/protocols.csv',
      'protocols/protocol-versions.csv',
      'protocols/protocol-signatures.csv',
      'protocols/protocol-events.csv',
      'protocols/protocol-opt-outs.csv',
      'clubs/clubs.csv',
      'clubs/club-members.csv',
      'targets/target-events.csv',
      'targets/school-judgements.csv',
      'comparisons/comparison-runs.csv',
      'comparisons/comparison-groups.csv',
      'comparisons/comparison-benchmarks.csv',
      'access-log.csv',
    ]) {
      expect({ path, present: archive.has(path) }).toEqual({ path, present: true });
    }
    const registerUrns = new Set(csvRecords(archive, 'schools.csv').map((s) => Number(s.urn)));
    const [{ n: schools }] = await api.db.query<{ n: number }>(
      'select count(*)::int as n from schools where tenant_id = $1',
      [api.a.id],
    );
    expect(registerUrns.size).toBe(schools);
    expect(csvRecords(archive, 'protocols/protocols.csv').map((p) => p.id)).toEqual([aProtocol]);
    expect(
      csvRecords(archive, 'protocols/protocol-signatures.csv')
        .map((s) => s.signer_tenant_id)
        .sort(),
    ).toEqual([api.a.id, api.b.id].sort());
    expect(csvRecords(archive, 'protocols/protocol-events.csv').length).toBeGreaterThan(0);
    expect(csvRecords(archive, 'comparisons/comparison-runs.csv').map((r) => r.id)).toEqual([aRun]);
    expect(csvRecords(archive, 'comparisons/comparison-groups.csv')).toHaveLength(1);
    expect(csvRecords(archive, 'comparisons/comparison-benchmarks.csv')).toHaveLength(1);
    expect(csvRecords(archive, 'targets/school-judgements.csv')).toHaveLength(1);
    // Formula-safe: the target's reason starting with "=" is neutralised.
    expect(csvRecords(archive, 'targets/target-events.csv').map((t) => t.reason)).toEqual([
      `'=HYPERLINK("http://evil")`,
    ]);
    expect(
      csvRecords(archive, 'users.csv')
        .map((u) => u.email)
        .sort(),
    ).toEqual(
      Object.values(api.a.users)
        .map((u) => u!.email)
        .sort(),
    );
    // Its access log: B's read of A's data, not A's read of B's (that entry is B's).
    expect(csvRecords(archive, 'access-log.csv').map((e) => e.reader_tenant_id)).toEqual([
      api.b.id,
    ]);
    // Every dataset version the tenant published.
    const published = await api.db.query<{ id: string }>(
      "select id from datasets where tenant_id = $1 and status = 'published'",
      [api.a.id],
    );
    expect(
      paths.filter((p) => /^datasets\/.*\/v\d+\/[^/]+(?<!\.meta|\.source-codes)\.csv$/.test(p)),
    ).toHaveLength(published.length);
    // DfE's own codes for suppressed cells are kept beside the EES symbols.
    const codes = await api.db.query<Record<string, string>>(
      `select o.urn::text as code, o.measure, o.time_period::text, o.breakdown, o.suppression, o.source_code
       from observations o join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id
       where o.tenant_id = $1 and d.file_name = $2 and d.version = 1 and o.source_code is not null`,
      [api.a.id, KS4],
    );
    expect([...new Set(codes.map((c) => c.source_code))]).toEqual(
      expect.arrayContaining(['SUPP', 'NE']),
    );
    const file = paths.find((p) => /\/v1\/2016-2017_850_ks4final\.source-codes\.csv$/.test(p))!;
    const exported = csvRecords(archive, file)
      .filter((r) => r.level === 'school')
      .map((r) =>
        [r.code, r.measure, r.time_period, r.breakdown, r.suppression, r.source_code].join('|'),
      );
    expect(exported.sort()).toEqual(
      codes
        .map((c) =>
          [c.code, c.measure, c.time_period, c.breakdown, c.suppression, c.source_code].join('|'),
        )
        .sort(),
    );
  });

  it('carries no secret and no row of another tenant', async () => {
    const headers = [...archive.entries()]
      .filter(([p]) => p.endsWith('.csv'))
      .flatMap(([, bytes]) => (parse(bytes, { bom: true, to_line: 1 }) satisfies string[][])[0]);
    for (const secret of [
      'password_hash',
      'invitation_hash',
      'secret_hash',
      'token_hash',
      'pseudonym_key',
    ]) {
      expect(headers).not.toContain(secret);
    }
    const text = [...archive.values()].map((b) => b.toString('latin1')).join('\n');
    const secrets = [
      ...(await api.db.query<{ s: string }>(
        'select password_hash as s from users where tenant_id = $1 and password_hash is not null',
        [api.a.id],
      )),
      ...(await api.db.query<{ s: string }>(
        'select secret_hash as s from api_keys where tenant_id = $1',
        [api.a.id],
      )),
      ...(await api.db.query<{ s: string }>(
        "select encode(pseudonym_key, 'hex') as s from protocols where tenant_id = $1",
        [api.a.id],
      )),
    ].map((r) => r.s);
    // Every user's password hash, the API key's secret hash, the protocol's pseudonym key.
    expect(secrets.length).toBe(Object.keys(api.a.users).length + 2);
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);

    const bMarkers = [
      ...api.b.schools.map((s) => s.name),
      // (B's user ids may appear: A's own rows name B's readers and signers.)
      ...Object.values(api.b.users).map((u) => u!.email),
      api.bData.id,
      api.bData.fileName,
      bProtocol,
      'B owns this protocol',
      // The public reference tenant's school, readable by every tenant: not A's.
      'Sir John Cass Red Coat (public reference)',
    ];
    for (const marker of bMarkers) {
      expect({ marker, found: text.includes(marker) }).toEqual({ marker, found: false });
    }
  });

  it('lets no other tenant or role read the export or download it', async () => {
    const status = `query($id: ID!) { tenantExport(id: $id) { id status } }`;
    const fromB = await gql(tokens.bAdmin, status, { id: exportId });
    expect(errorCode(fromB)).toBe('NOT_FOUND');
    expect(JSON.stringify(fromB)).not.toContain('READY');
    const listedForB = await gql(tokens.bAdmin, '{ tenantExports { id } }');
    expect(listedForB.data!.tenantExports).toEqual([]);
    expect(errorCode(await gql(tokens.aAnalyst, status, { id: exportId }))).toBe('FORBIDDEN');

    const path = `/api/tenant-exports/${exportId}/archive`;
    const server = api.app.getHttpServer();
    const asB = await request(server).get(path).set('Authorization', `Bearer ${tokens.bAdmin}`);
    expect(asB.status).toBe(404);
    expect(asB.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      (await request(server).get(path).set('Authorization', `Bearer ${tokens.aAnalyst}`)).status,
    ).toBe(403);
    expect((await request(server).get(path)).status).toBe(401);
    const [{ n }] = await api.db.query<{ n: number }>(
      'select count(*)::int as n from tenant_export_downloads where export_id = $1',
      [exportId],
    );
    expect(n).toBe(1);
  });

  it('refuses a non-admin and an unknown export, writing nothing', async () => {
    const before = await snapshotDatabase(api.db);
    const asAnalyst = await gql(tokens.aAnalyst, 'mutation { requestTenantExport { id } }');
    expect(errorCode(asAnalyst)).toBe('FORBIDDEN');
    expect(asAnalyst.errors![0].message).toMatch(/la_admin/);
    const anonymous = await graphql(api.app, 'mutation { requestTenantExport { id } }', {}, {});
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    const unknown = await gql(tokens.aAdmin, 'query { tenantExport(id: "not-an-id") { id } }');
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });

  it('expires: the archive is deleted and the download answers 404 saying so', async () => {
    await api.db.query(
      "update tenant_exports set expires_at = now() - interval '1 minute' where id = $1",
      [exportId],
    );
    const res = await request(api.app.getHttpServer())
      .get(`/api/tenant-exports/${exportId}/archive`)
      .set('Authorization', `Bearer ${tokens.aAdmin}`);
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/expired/);
    const [{ status }] = await api.db.query<{ status: string }>(
      'select status from tenant_exports where id = $1',
      [exportId],
    );
    expect(status).toBe('expired');
    const [{ n }] = await api.db.query<{ n: number }>(
      'select count(*)::int as n from tenant_export_chunks where export_id = $1',
      [exportId],
    );
    expect(n).toBe(0);
  });

  // The CLI boots services of its own: these run last, after every request to the API.
  it('lets the operator export with the CLI, and refuses an unknown tenant writing nothing', async () => {
    const out = join(folder, 'hampshire.tar.gz');
    const code = await cli('tenant:export', '--tenant', '850', '--out', out);
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringMatching(/Exported Hampshire \(850\)/),
    });
    const fromCli = await readArchive(readFileSync(out));
    const manifest = expectMatchesManifest(fromCli);
    expect(manifest.files.map((f) => f.path)).toEqual(manifestOf(archive).files.map((f) => f.path));

    const before = await snapshotDatabase(api.db);
    const missing = join(folder, 'nobody.tar.gz');
    expect(await cli('tenant:export', '--tenant', '999', '--out', missing)).toBe(2);
    expect(output).toMatch(/No tenant "999"/);
    expect(existsSync(missing) || existsSync(`${missing}.partial`)).toBe(false);
    expect(await cli('tenant:export', '--tenant', '850', '--out', out)).toBe(2);
    expect(output).toMatch(/exists already/);
    expect(await snapshotDatabase(api.db)).toEqual(before);
  }, 120_000);

  it('re-imports the datasets of the export into an empty tenant with the same observations', async () => {
    // An empty tenant of the same authority, in a database of its own (LA codes are unique in one).
    const fresh = await createTestDatabase();
    try {
      const newcomer = await seedTenant(fresh, {
        laCode: '850',
        name: 'Hampshire (new home)',
        schools: [],
        roles: ['la_admin'],
      });
      const dataFiles = [...archive.keys()]
        .filter((p) => /^datasets\/.*\/v\d+\/[^/]+(?<!\.meta|\.source-codes)\.csv$/.test(p))
        .sort((x, y) => Number(/\/v(\d+)\//.exec(x)![1]) - Number(/\/v(\d+)\//.exec(y)![1]));
      const datasets = csvRecords(archive, 'datasets.csv');
      fresh.useForServices();
      try {
        for (const [i, path] of dataFiles.entries()) {
          const dir = join(folder, `reimport-${i}`);
          mkdirSync(dir);
          const name = path.split('/').pop()!;
          writeFileSync(join(dir, name), archive.get(path)!);
          writeFileSync(
            join(dir, name.replace(/\.csv$/, '.meta.csv')),
            archive.get(path.replace(/\.csv$/, '.meta.csv'))!,
          );
          const code = await cli('import', dir, '--tenant', '850', '--no-progress');
          expect({ path, code, output: code === 0 ? '' : output.slice(-3000) }).toEqual({
            path,
            code: 0,
            output: '',
          });
        }
      } finally {
        api.db.useForServices();
      }
      const observationsOf = async (on: TestDatabase, tenantId: string, datasetId: string) =>
        new Map(
          (
            await on.query<{ k: string; v: string }>(
              `select concat_ws('|', urn, measure, time_period, time_identifier, breakdown) as k,
                 coalesce(value::text, suppression) as v
               from observations where tenant_id = $1 and dataset_id = $2
               union all
               select concat_ws('|', area_level, area_code, area_variant, measure, time_period, time_identifier, breakdown),
                 coalesce(value::text, suppression)
               from area_observations where tenant_id = $1 and dataset_id = $2`,
              [tenantId, datasetId],
            )
          ).map((r) => [r.k, r.v]),
        );
      const imported = await fresh.query<{ id: string }>(
        "select id from datasets where tenant_id = $1 and status = 'published' order by created_at",
        [newcomer.id],
      );
      expect(imported).toHaveLength(dataFiles.length);
      for (const [i, path] of dataFiles.entries()) {
        const version = Number(/\/v(\d+)\//.exec(path)![1]);
        const original = datasets.find(
          (d) =>
            d.status === 'published' &&
            Number(d.version) === version &&
            path.startsWith(
              `datasets/${d.series.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '')}/`,
            ),
        )!;
        const before = await observationsOf(api.db, api.a.id, original.id);
        const after = await observationsOf(fresh, newcomer.id, imported[i].id);
        expect(before.size).toBeGreaterThan(0);
        // Every observation comes back with its value or symbol. EES files are wide and allow
        // no blank cell, so measures a row did not have were written x and come back as x.
        const changed = [...before].filter(([k, v]) => after.get(k) !== v).slice(0, 5);
        const added = [...after].filter(([k]) => !before.has(k));
        expect({
          path,
          changed,
          addedOtherThanX: added.filter(([, v]) => v !== 'x').slice(0, 5),
        }).toEqual({
          path,
          changed: [],
          addedOtherThanX: [],
        });
      }
      expect(dataFiles.length).toBe(datasets.filter((d) => d.status === 'published').length);
    } finally {
      await fresh.drop();
    }
  }, 300_000);
});

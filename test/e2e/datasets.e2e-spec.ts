import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const DATA = join(__dirname, '../../../shared/data');
const KS2_2019 = join(DATA, 'dfe/la-850-hampshire/2018-2019_850_ks2final.csv');

// A KS2 final file is about 77,000 observations with the 2026.2 catalogue; on a machine shared
// by several test runs one upload can take longer than jest's default minute.
jest.setTimeout(300_000);

describe('datasets: upload, report, observations, export', () => {
  let api: ApiUnderTest;
  let admin: string;
  let analyst: string;

  beforeAll(async () => {
    api = await startApiUnderTest({ UPLOAD_MAX_BYTES: String(2 * 1024 * 1024) });
    admin = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
    analyst = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
  });
  afterAll(() => api.close());

  const upload = (token: string, name: string, content: Buffer) =>
    request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${token}`)
      .attach('file', content, name);

  it('imports a DfE KS2 file as published; the same file again changes nothing', async () => {
    const bytes = readFileSync(KS2_2019);
    const first = await upload(admin, '2018-2019_850_ks2final.csv', bytes).expect(201);
    expect(first.body).toMatchObject({
      status: 'published',
      unchanged: false,
      dataset: { version: 1, isCurrent: true, errorCount: 0 },
    });
    expect(first.body.dataset.observationCount).toBeGreaterThan(1000);
    const before = await snapshotDatabase(api.db, ['datasets', 'observations']);
    const again = await upload(admin, 'renamed.csv', bytes).expect(200);
    expect(again.body).toMatchObject({ datasetId: first.body.datasetId, unchanged: true });
    expect(await snapshotDatabase(api.db, ['datasets', 'observations'])).toEqual(before);
  });

  it('makes a corrected file a new version; queries read it, the old one stays readable by id', async () => {
    const original = readFileSync(KS2_2019, 'latin1');
    // Correct one school's RWM figure: the same series (file kind and period), different bytes.
    const lines = original.split('\r\n');
    const header = lines[0].replace(/^\uFEFF/, '').split(',');
    const column = header.indexOf('PTRWM_EXP');
    const row = lines.findIndex(
      (l, i) => i > 0 && /^1,/.test(l) && /^\d+%$/.test(l.split(',')[column] ?? ''),
    );
    const cells = lines[row].split(',');
    const urn = Number(cells[header.indexOf('URN')]);
    cells[column] = '99%';
    lines[row] = cells.join(',');
    const corrected = await upload(
      admin,
      '2018-2019_850_ks2final.csv',
      Buffer.from(lines.join('\r\n'), 'latin1'),
    ).expect(201);
    expect(corrected.body.dataset).toMatchObject({ version: 2, isCurrent: true });

    const q = `query($f: ObservationFilter) { observations(filter: $f) { totalCount nodes { value datasetId } } }`;
    const current = await graphql(
      api.app,
      q,
      { f: { urns: [urn], measures: ['ks2_rwm_expected_pct'], breakdowns: ['all'] } },
      { token: analyst },
    );
    expect(current.data!.observations.nodes).toEqual([
      { value: 99, datasetId: corrected.body.datasetId },
    ]);
    const datasets = await graphql(
      api.app,
      '{ datasets { nodes { version isCurrent } } }',
      {},
      { token: analyst },
    );
    expect(datasets.data!.datasets.nodes).toEqual(
      expect.arrayContaining([
        { version: 1, isCurrent: false },
        { version: 2, isCurrent: true },
      ]),
    );
  });

  it('answers School.observations for a page of schools with a bounded number of queries', async () => {
    const runner = api.app.get(DataSource).createQueryRunner();
    const proto = Object.getPrototypeOf(runner) as { query: (...args: unknown[]) => unknown };
    await runner.release();
    const spy = jest.spyOn(proto, 'query');
    const q = (n: number) =>
      `{ schools(first: ${n}) { nodes { urn observations(filter: { measures: ["ks2_rwm_expected_pct"] }) { value } } } }`;
    spy.mockClear();
    const one = await graphql(api.app, q(1), {}, { token: analyst });
    const queriesForOne = spy.mock.calls.length;
    spy.mockClear();
    const many = await graphql(api.app, q(50), {}, { token: analyst });
    const queriesForMany = spy.mock.calls.length;
    spy.mockRestore();
    expect(one.errors).toBeUndefined();
    expect(many.data!.schools.nodes.length).toBe(50);
    expect(
      many.data!.schools.nodes.filter((s: { observations: unknown[] }) => s.observations.length > 0)
        .length,
    ).toBeGreaterThan(10);
    expect(queriesForMany).toBe(queriesForOne);
  });

  it('serves the validation report as CSV', async () => {
    const res = await upload(admin, 'broken.csv', Buffer.from('URN,PTRWM_EXP\r\n')).expect(422);
    const csv = await request(api.app.getHttpServer())
      .get(`/api/datasets/${res.body.datasetId}/report.csv`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('file,line,column,value,rule,severity,message,fix');
    expect(csv.text).toContain('broken.csv');
  });

  it.each([
    ['empty.csv', Buffer.alloc(0)],
    ['header-only.csv', Buffer.from('URN,LA,ESTAB,SCHNAME,PTRWM_EXP\r\n')],
    [
      'binary.csv',
      Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
      ]),
    ],
    ['truncated.csv', Buffer.from('URN,LA,ESTAB,SCHNAME\r\n123456,850,"Unclosed quote')],
  ])('rejects %s with a report and writes no observations or schools', async (name, content) => {
    const before = await snapshotDatabase(api.db, ['observations', 'schools', 'area_observations']);
    const res = await upload(admin, name, content).expect(422);
    expect(res.body.status).toBe('failed');
    expect(res.body.dataset.errorCount).toBeGreaterThan(0);
    const problem = res.body.dataset.problems[0];
    expect(problem).toMatchObject({ file: name, severity: 'error' });
    expect(problem.message.length).toBeGreaterThan(10);
    expect(problem.fix.length).toBeGreaterThan(10);
    expect(
      await snapshotDatabase(api.db, ['observations', 'schools', 'area_observations']),
    ).toEqual(before);
  });

  it('refuses an upload over the size limit with a clear error, writing nothing', async () => {
    const before = await snapshotDatabase(api.db, ['datasets', 'observations']);
    const res = await upload(admin, 'big.csv', Buffer.alloc(3 * 1024 * 1024, 'a')).expect(413);
    expect(res.body.message).toMatch(/too large/i);
    expect(await snapshotDatabase(api.db, ['datasets', 'observations'])).toEqual(before);
  });

  it('lets only LA admins upload, and needs a file', async () => {
    await upload(analyst, 'x.csv', Buffer.from('a,b\r\n1,2\r\n')).expect(403);
    await request(api.app.getHttpServer())
      .post('/api/datasets')
      .attach('file', Buffer.from('a'), 'x.csv')
      .expect(401);
    const none = await request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${admin}`)
      .field('x', '1')
      .expect(400);
    expect(none.body.message).toMatch(/multipart field "file"/);
  });

  it('exports observations as EES CSV with formula-looking cells neutralised', async () => {
    const data = await request(api.app.getHttpServer())
      .get('/api/exports/observations?measures=ks2_rwm_expected_pct&periods=201819')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(200);
    const [header, ...rows] = data.text.trim().split(/\r?\n/);
    expect(header).toMatch(/time_period/);
    expect(header).toMatch(/school_urn/);
    expect(rows.length).toBeGreaterThan(100);
    const meta = await request(api.app.getHttpServer())
      .get('/api/exports/observations?measures=ks2_rwm_expected_pct&periods=201819&part=meta')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(200);
    expect(meta.text).toMatch(/col_name/);
    expect(data.text).not.toMatch(/(^|,)[=+@]/m);
  });

  it('lists the measure catalogue', async () => {
    const res = await graphql(
      api.app,
      '{ measures { code category unit polarity } }',
      {},
      { token: analyst },
    );
    const codes = res.data!.measures.map((m: { code: string }) => m.code);
    expect(codes).toEqual(expect.arrayContaining(['ks2_rwm_expected_pct']));
    expect(codes.length).toBeGreaterThan(20);
  });

  it('validates mapping profiles and refuses bad ones, writing nothing', async () => {
    const before = await snapshotDatabase(api.db, ['mapping_profiles']);
    const notJson = await graphql(
      api.app,
      'mutation { createMappingProfile(name: "x", definition: "{oops") { id } }',
      {},
      { token: admin },
    );
    expect(errorCode(notJson)).toBe('BAD_USER_INPUT');
    expect(notJson.errors![0].message).toMatch(/not JSON/);
    const invalid = await graphql(
      api.app,
      'mutation { createMappingProfile(name: "x", definition: "{\\"columns\\": 3}") { id } }',
      {},
      { token: admin },
    );
    expect(errorCode(invalid)).toBe('BAD_USER_INPUT');
    expect(invalid.errors![0].message).toMatch(/not valid/);
    expect(await snapshotDatabase(api.db, ['mapping_profiles'])).toEqual(before);
  });

  it('validates with ?dryRun=true: reports as an import does and writes nothing', async () => {
    const tables = ['datasets', 'observations', 'area_observations', 'schools'];
    const before = await snapshotDatabase(api.db, tables);
    const bytes = readFileSync(join(DATA, 'dfe/la-850-hampshire/2017-2018_850_ks2final.csv'));
    const good = await request(api.app.getHttpServer())
      .post('/api/datasets?dryRun=true')
      .set('Authorization', `Bearer ${admin}`)
      .attach('file', bytes, '2017-2018_850_ks2final.csv')
      .expect(200);
    expect(good.body).toMatchObject({
      dryRun: true,
      valid: true,
      report: { summary: { adapter: 'dfe-ks2-final', accepted: true, cells: { unknown: 0 } } },
    });
    expect(good.body.counts.observations).toBeGreaterThan(1000);
    const bad = await request(api.app.getHttpServer())
      .post('/api/datasets?dryRun=true')
      .set('Authorization', `Bearer ${admin}`)
      .attach('file', Buffer.from('URN,PTRWM_EXP\r\n'), 'broken.csv')
      .expect(422);
    expect(bad.body).toMatchObject({ dryRun: true, valid: false });
    expect(await snapshotDatabase(api.db, tables)).toEqual(before);
    // The same file uploaded for real afterwards is imported: the dry run left no hash behind.
    const real = await upload(admin, '2017-2018_850_ks2final.csv', bytes).expect(201);
    // The dataset says what happened to every school-row cell.
    expect(real.body.dataset.cells).toMatchObject({ unknown: 0, unknownColumns: [] });
    expect(real.body.dataset.cells.stored).toBeGreaterThan(50_000);
    expect(real.body.dataset.cells.notMeasure).toContainEqual({
      reason: 'earlier_year',
      cells: expect.any(Number),
    });
  });

  it('gives back the code the file published: GraphQL sourceCode and the export with codes=source', async () => {
    const q = `query($f: ObservationFilter) { observations(filter: $f, first: 5) { nodes { suppression sourceCode } } }`;
    const res = await graphql(
      api.app,
      q,
      { f: { measures: ['ks2_rwm_expected_disadvantaged_gap'], periods: ['201819'] } },
      { token: analyst },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.observations.nodes).toContainEqual({ suppression: 'c', sourceCode: 'SUPP' });
    const exported = await request(api.app.getHttpServer())
      .get(
        '/api/exports/observations?measures=ks2_rwm_expected_disadvantaged_gap&periods=201819&codes=source',
      )
      .set('Authorization', `Bearer ${analyst}`)
      .expect(200);
    expect(exported.text).toMatch(/,SUPP(\r?\n|,|$)/);
    const ees = await request(api.app.getHttpServer())
      .get('/api/exports/observations?measures=ks2_rwm_expected_disadvantaged_gap&periods=201819')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(200);
    expect(ees.text).not.toMatch(/SUPP/);
  });
});

import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { TenancyModule } from '@schoolbench/tenancy';
import {
  createTestDatabase,
  seedTenant,
  snapshotDatabase,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import { DatasetImports } from './dataset-imports.service';
import type { DatasetSource } from './dataset-source';

const DATA = join(__dirname, '../../../../../shared/data');

function file(relative: string): DatasetSource {
  return { name: relative.split('/').pop()!, open: () => createReadStream(join(DATA, relative)) };
}

function text(name: string, content: string): DatasetSource {
  return { name, open: () => Buffer.from(content) };
}

// The import service alone, as a worker or the CLI runs it (no HTTP, no GraphQL).
@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule], providers: [DatasetImports] })
class ImportTestModule {}

// A KS2 final file is about 77,000 observations with the 2026.2 catalogue; on a machine shared
// by several test runs one import can take longer than jest's default minute.
jest.setTimeout(300_000);

describe('dataset imports into PostgreSQL', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let imports: DatasetImports;
  let hampshire: SeededTenant;

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    hampshire = await seedTenant(db, { laCode: '850', name: 'Hampshire', roles: ['la_admin'] });
    app = await NestFactory.createApplicationContext(ImportTestModule, {
      logger: false,
      abortOnError: false,
    });
    imports = app.get(DatasetImports);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('imports a DfE KS2 final file as published, and a second upload changes nothing', async () => {
    const outcome = await imports.importInto(hampshire.id, null, {
      file: file('dfe/la-850-hampshire/2018-2019_850_ks2final.csv'),
    });
    expect(outcome).toMatchObject({ status: 'published', unchanged: false });
    const [dataset] = await db.query<Record<string, unknown>>(
      'select * from datasets where id = $1',
      [outcome.datasetId],
    );
    expect(dataset).toMatchObject({
      status: 'published',
      is_current: true,
      version: 1,
      error_count: 0,
    });
    expect(Number(dataset.observation_count)).toBeGreaterThan(1000);
    const before = await snapshotDatabase(db, ['datasets', 'schools']);
    const again = await imports.importInto(hampshire.id, null, {
      file: file('dfe/la-850-hampshire/2018-2019_850_ks2final.csv'),
    });
    expect(again).toEqual({ datasetId: outcome.datasetId, status: 'published', unchanged: true });
    expect(await snapshotDatabase(db, ['datasets', 'schools'])).toEqual(before);
  });

  it('keeps a failed import’s report and writes no observations or schools', async () => {
    const before = await snapshotDatabase(db, ['observations', 'schools', 'area_observations']);
    const outcome = await imports.importInto(hampshire.id, null, { file: text('empty.csv', '') });
    expect(outcome.status).toBe('failed');
    const [dataset] = await db.query<{
      status: string;
      error_count: number;
      report: { problems: { rule: string }[] };
    }>('select status, error_count, report from datasets where id = $1', [outcome.datasetId]);
    expect(dataset.status).toBe('failed');
    expect(dataset.error_count).toBeGreaterThan(0);
    expect(dataset.report.problems.length).toBeGreaterThan(0);
    expect(await snapshotDatabase(db, ['observations', 'schools', 'area_observations'])).toEqual(
      before,
    );
  });

  it('keeps the code the file published beside the EES symbol (SUPP → c, NEW → z)', async () => {
    const rows = await db.query<{ suppression: string; source_code: string | null; n: number }>(
      `select o.suppression, o.source_code, count(*)::int as n
       from observations o join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id
       where d.file_name = '2018-2019_850_ks2final.csv' and o.suppression is not null
       group by 1, 2 order by 1, 2`,
    );
    expect(rows.find((r) => r.source_code === 'SUPP')).toMatchObject({ suppression: 'c' });
    expect(rows.find((r) => r.source_code === 'NEW')).toMatchObject({ suppression: 'z' });
    // Every suppressed cell of a DfE file says which code it was.
    expect(rows.filter((r) => r.source_code === null)).toEqual([]);
    const [{ unsuppressed }] = await db.query<{ unsuppressed: number }>(
      `select count(*)::int as unsuppressed from observations
       where suppression is null and source_code is not null`,
    );
    expect(unsuppressed).toBe(0);
  });

  const ees = (name: string, data: string, meta = name) => ({
    file: text(`${name}.csv`, data),
    meta: text(
      `${name}.meta.csv`,
      readFileSync(join(DATA, `ees/screener/pass/${meta}.meta.csv`), 'utf8'),
    ),
  });
  const eesData = (name: string) =>
    readFileSync(join(DATA, `ees/screener/pass/${name}.csv`), 'utf8');

  it('keeps two unrelated EES files of the same years current, and a corrected file supersedes its own', async () => {
    const first = await imports.importInto(
      hampshire.id,
      null,
      ees('sch_filter_group', eesData('sch_filter_group')),
    );
    const second = await imports.importInto(
      hampshire.id,
      null,
      ees('sch_filter_grouped', eesData('sch_filter_grouped')),
    );
    expect([first.status, second.status]).toEqual(['published', 'published']);
    const current = async () =>
      db.query<{ file_name: string; series: string; version: number; is_current: boolean }>(
        `select file_name, series, version, is_current from datasets
         where tenant_id = $1 and file_name like 'sch_filter_group%' order by file_name, version`,
        [hampshire.id],
      );
    expect(await current()).toEqual([
      {
        file_name: 'sch_filter_group.csv',
        series: 'ees-open-data:sch_filter_group',
        version: 1,
        is_current: true,
      },
      {
        file_name: 'sch_filter_grouped.csv',
        series: 'ees-open-data:sch_filter_grouped',
        version: 1,
        is_current: true,
      },
    ]);
    // The same file corrected (one figure changed) is the next version of its own series only.
    const corrected = eesData('sch_filter_group').replace('163779', '163780');
    const third = await imports.importInto(hampshire.id, null, ees('sch_filter_group', corrected));
    expect(third).toMatchObject({ status: 'published', unchanged: false });
    expect(await current()).toEqual([
      {
        file_name: 'sch_filter_group.csv',
        series: 'ees-open-data:sch_filter_group',
        version: 1,
        is_current: false,
      },
      {
        file_name: 'sch_filter_group.csv',
        series: 'ees-open-data:sch_filter_group',
        version: 2,
        is_current: true,
      },
      {
        file_name: 'sch_filter_grouped.csv',
        series: 'ees-open-data:sch_filter_grouped',
        version: 1,
        is_current: true,
      },
    ]);
  });

  it('validates without writing: the whole pipeline runs, the report is as an import’s, the database is unchanged', async () => {
    const tables = ['datasets', 'observations', 'area_observations', 'schools'];
    const before = await snapshotDatabase(db, tables);
    const good = await imports.validate(hampshire.id, {
      file: file('dfe/la-850-hampshire/2017-2018_850_ks2final.csv'),
    });
    expect(good.valid).toBe(true);
    expect(good.counts.observations).toBeGreaterThan(1000);
    expect(good.report.summary).toMatchObject({ adapter: 'dfe-ks2-final', accepted: true });
    expect(good.report.summary?.cells?.unknown).toBe(0);
    const bad = await imports.validate(hampshire.id, { file: text('empty.csv', '') });
    expect(bad.valid).toBe(false);
    expect(bad.report.problems.map((p) => p.rule)).toContain('empty_file');
    // A file the database refuses (the same school twice) is invalid too, and still writes nothing.
    const header = 'RECTYPE,LEA,ESTAB,URN,SCHNAME,TELIG,PTRWM_EXP';
    const twice = await imports.validate(hampshire.id, {
      file: text(
        '2018-2019_850_ks2final.csv',
        `${header}\r\n1,850,1,116382,A,9,90%\r\n1,850,1,116382,A,9,91%`,
      ),
    });
    expect(twice.valid).toBe(false);
    expect(await snapshotDatabase(db, tables)).toEqual(before);
  });

  it("compares earlier-year copies with the values stored from that year's file and warns on a difference", async () => {
    const header = 'RECTYPE,LEA,ESTAB,URN,SCHNAME,TELIG,PTRWM_EXP';
    const earlier = await imports.importInto(hampshire.id, null, {
      file: text(
        '2016-2017_850_ks2final.csv',
        `${header}\r\n1,850,7001,990001,Alpha,20,70%\r\n1,850,7002,990002,Beta,30,SUPP`,
      ),
    });
    expect(earlier.status).toBe('published');
    const later = await imports.importInto(hampshire.id, null, {
      file: text(
        '2018-2019_850_ks2final.csv',
        `${header},PTRWM_EXP_17\r\n1,850,7001,990001,Alpha,21,75%,70%\r\n1,850,7002,990002,Beta,31,80%,64%`,
      ),
    });
    expect(later.status).toBe('published');
    const [dataset] = await db.query<{
      warning_count: number;
      report: { problems: { rule: string; column: string; message: string }[] };
    }>('select warning_count, report from datasets where id = $1', [later.datasetId]);
    const differs = dataset.report.problems.filter((p) => p.rule === 'earlier_year_differs');
    // Alpha's copy (70%) matches; Beta's (64%) was SUPP in the 2016/17 file.
    expect(differs).toHaveLength(1);
    expect(differs[0]).toMatchObject({ column: 'PTRWM_EXP_17' });
    expect(differs[0].message).toMatch(
      /URN 990002.*201617 as 64.*2016-2017_850_ks2final\.csv has c/,
    );
    // Not stored as observations of either year.
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from observations where dataset_id = $1 and time_period <> 201819`,
      [later.datasetId],
    );
    expect(n).toBe(0);
  });
});

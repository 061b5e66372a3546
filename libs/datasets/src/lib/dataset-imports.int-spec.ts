import { createReadStream } from 'node:fs';
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
});

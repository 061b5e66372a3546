import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import request from 'supertest';

import { DatasetImportProcessor, DatasetImports } from '@schoolbench/datasets';
import { QUEUES } from '@schoolbench/queue';
import { graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

// The worker as deployed; tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const DATA = join(__dirname, '../../../shared/data/dfe/la-850-hampshire');
const KS2_2019 = readFileSync(join(DATA, '2018-2019_850_ks2final.csv'));
const KS2_2018 = readFileSync(join(DATA, '2017-2018_850_ks2final.csv'));
const KS2_2017 = readFileSync(join(DATA, '2016-2017_850_ks2final.csv'));
/** Uploads above this many bytes go to the worker; the KS2 files are ~400–440 kB. */
const BACKGROUND_ABOVE = 100_000;

interface DatasetView {
  status: string;
  progress: number;
  isCurrent: boolean;
  observationCount: number;
  errorCount: number;
  problems: {
    rule: string;
    line: number | null;
    column: string | null;
    message: string;
    fix: string;
  }[];
}

/**
 * Large uploads: stored, answered with a `queued` dataset, imported by the worker application
 * (BullMQ on the real Redis, Postgres under the tenant's RLS), with progress, failure reports,
 * retries and a worker killed mid-import.
 */
describe('dataset imports as background jobs', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext;
  let admin: string;
  let analyst: string;

  const upload = (name: string, content: Buffer) =>
    request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${admin}`)
      .attach('file', content, name);

  const view = async (id: string): Promise<DatasetView> => {
    const res = await graphql<{ dataset: DatasetView }>(
      api.app,
      `
        query ($id: ID!) {
          dataset(id: $id) {
            status
            progress
            isCurrent
            observationCount
            errorCount
            problems {
              rule
              line
              column
              message
              fix
            }
          }
        }
      `,
      { id },
      { token: analyst },
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.dataset;
  };

  // Generous: on the Citus cluster under a shared machine's load a worker import of a KS2 file
  // took longer than 30 s (docs/scaling.md §9.5). The wait ends as soon as the status is reached.
  const waitFor = async (id: string, statuses: string[], timeoutMs = 120_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const dataset = await view(id);
      if (statuses.includes(dataset.status)) return dataset;
      if (Date.now() > until) throw new Error(`Dataset ${id} still ${dataset.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stored = async (id: string) => {
    const [row] = await api.db.query<{ observations: number; chunks: number }>(
      `select (select count(*)::int from observations where dataset_id = $1) as observations,
              (select count(*)::int from dataset_upload_chunks where dataset_id = $1) as chunks`,
      [id],
    );
    return row;
  };

  const processor = () => worker.get(DatasetImportProcessor);
  const imports = () => worker.get(DatasetImports);
  const queue = () => worker.get<Queue>(getQueueToken(QUEUES.datasetImports));

  beforeAll(async () => {
    api = await startApiUnderTest({
      UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
      IMPORT_IN_BACKGROUND_ABOVE_BYTES: String(BACKGROUND_ABOVE),
    });
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
    admin = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
    analyst = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });
  afterEach(() => {
    imports().checkpoint = () => undefined;
  });

  it('answers 202 with a queued dataset, then the worker publishes it with progress', async () => {
    await processor().worker.pause();
    const first = await upload('2018-2019_850_ks2final.csv', KS2_2019).expect(202);
    expect(first.body).toMatchObject({
      status: 'queued',
      unchanged: false,
      dataset: { status: 'queued', progress: 0, isCurrent: false },
    });
    const id: string = first.body.datasetId;
    expect((await stored(id)).chunks).toBeGreaterThan(0);
    // The same file while it waits: the same dataset, no second one.
    const again = await upload('renamed.csv', KS2_2019).expect(202);
    expect(again.body).toMatchObject({ datasetId: id, status: 'queued', unchanged: true });
    const [{ n }] = await api.db.query<{ n: number }>(
      'select count(*)::int as n from datasets where content_hash = (select content_hash from datasets where id = $1)',
      [id],
    );
    expect(n).toBe(1);

    // What a user polling GraphQL sees while the import's own transaction is still open.
    const seen: { status: string; progress: number; observations: number }[] = [];
    imports().checkpoint = async (phase) => {
      if (phase !== 'progress') return;
      const dataset = await view(id);
      seen.push({ ...dataset, observations: (await stored(id)).observations });
    };
    await processor().worker.resume();
    const done = await waitFor(id, ['published', 'failed']);

    expect(done).toMatchObject({ status: 'published', progress: 100, isCurrent: true });
    expect(done.observationCount).toBeGreaterThan(1000);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((s) => s.status === 'importing' && s.observations === 0)).toBe(true);
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(await stored(id)).toEqual({ observations: done.observationCount, chunks: 0 });
    const job = await queue().getJob(id);
    expect(await job?.getState()).toBe('completed');
    expect(job?.progress).toBe(100);

    // Published: the same file again is a no-op.
    const before = await snapshotDatabase(api.db, ['datasets', 'observations', 'schools']);
    const unchanged = await upload('2018-2019_850_ks2final.csv', KS2_2019).expect(200);
    expect(unchanged.body).toMatchObject({ datasetId: id, status: 'published', unchanged: true });
    expect(await snapshotDatabase(api.db, ['datasets', 'observations', 'schools'])).toEqual(before);
  }, 300_000);

  it('marks a bad large upload failed with its report, writing no observations or schools', async () => {
    const text = KS2_2017.toString('latin1');
    const lines = text.split('\r\n');
    const header = lines[0].replace(/^\uFEFF/, '').split(',');
    const column = header.indexOf('PTRWM_EXP');
    const row = lines.findIndex(
      (l, i) => i > 0 && /^1,/.test(l) && /^\d+%$/.test(l.split(',')[column] ?? ''),
    );
    const cells = lines[row].split(',');
    cells[column] = 'lots';
    lines[row] = cells.join(',');
    const tables = ['observations', 'schools', 'area_observations', 'dataset_upload_chunks'];
    const before = await snapshotDatabase(api.db, tables);

    const res = await upload(
      '2016-2017_850_ks2final.csv',
      Buffer.from(lines.join('\r\n'), 'latin1'),
    ).expect(202);
    const done = await waitFor(res.body.datasetId, ['published', 'failed']);

    expect(done.status).toBe('failed');
    expect(done.errorCount).toBeGreaterThan(0);
    const problem = done.problems.find((p) => p.column === 'PTRWM_EXP');
    expect(problem).toMatchObject({ line: row + 1 });
    expect(problem!.fix.length).toBeGreaterThan(10);
    expect(await snapshotDatabase(api.db, tables)).toEqual(before);
    const job = await queue().getJob(res.body.datasetId);
    // The file's own problems are final: no retry.
    expect(job?.attemptsMade).toBe(1);
  }, 300_000);

  it('retries with backoff after a failure that is not the file’s, publishing once', async () => {
    let failures = 0;
    imports().checkpoint = (phase) => {
      if (phase === 'publishing' && failures++ === 0) throw new Error('connection lost');
    };
    const res = await upload('2017-2018_850_ks2final.csv', KS2_2018).expect(202);
    // Two attempts, each importing the whole file (about 2.5 × the rows since the catalogue
    // covers every DfE measure), with a backoff between.
    const done = await waitFor(res.body.datasetId, ['published', 'failed'], 150_000);
    expect(done.status).toBe('published');
    expect(failures).toBe(2);
    expect(await stored(res.body.datasetId)).toEqual({
      observations: done.observationCount,
      chunks: 0,
    });
    const job = await queue().getJob(res.body.datasetId);
    expect(job?.attemptsMade).toBe(2);
  }, 180_000);

  it('marks the dataset failed with a plain reason once every attempt has failed', async () => {
    imports().checkpoint = () => {
      throw new Error('database restarting');
    };
    const tables = ['observations', 'schools', 'area_observations', 'dataset_upload_chunks'];
    const before = await snapshotDatabase(api.db, tables);
    const res = await upload('2016-2017_850_ks2final.csv', KS2_2017).expect(202);
    // Four attempts, 2 s + 4 s + 8 s apart.
    const done = await waitFor(res.body.datasetId, ['published', 'failed'], 240_000);
    expect(done.status).toBe('failed');
    expect(done.problems).toEqual([
      expect.objectContaining({
        rule: 'import_not_completed',
        message: expect.stringMatching(/database restarting/),
      }),
    ]);
    expect(await snapshotDatabase(api.db, tables)).toEqual(before);
    expect((await queue().getJob(res.body.datasetId))?.attemptsMade).toBe(4);
  }, 300_000);

  it('survives a worker killed mid-import: nothing half published, one publication on retry', async () => {
    // A file no earlier test imported: KS2 2018/19 with one school's figure corrected.
    const corrected = Buffer.from(
      KS2_2019.toString('latin1').replace(/,(\d+)%,/, (_m, v) => `,${(Number(v) + 1) % 100}%,`),
      'latin1',
    );
    const tables = ['observations', 'schools', 'area_observations'];
    const before = await snapshotDatabase(api.db, tables);
    await processor().worker.pause();
    const child = fork(
      join(__dirname, '../integration/support/run-typescript.js'),
      [join(__dirname, 'support/dataset-import-worker-process.ts')],
      { env: process.env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      type Message = { ready?: boolean; phase?: string; datasetId?: string };
      const next = () =>
        new Promise<Message>((resolve, reject) => {
          child.once('message', (m) => resolve(m as Message));
          child.once('exit', (code) => reject(new Error(`worker process exited (${code})`)));
        });
      expect(await next()).toEqual({ ready: true });
      const publishing = next();
      const res = await upload('2018-2019_850_ks2final.csv', corrected).expect(202);
      const id: string = res.body.datasetId;
      expect(await publishing).toEqual({ phase: 'publishing', datasetId: id });

      // Every row is written inside the open transaction: nobody else can see any of it.
      expect(await view(id)).toMatchObject({ status: 'importing', isCurrent: false });
      expect((await stored(id)).observations).toBe(0);
      expect(await snapshotDatabase(api.db, tables)).toEqual(before);

      child.kill('SIGKILL');
      await exited;
      expect(await view(id)).toMatchObject({ status: 'importing' });
      expect(await stored(id)).toMatchObject({ observations: 0 });
      expect((await stored(id)).chunks).toBeGreaterThan(0);

      // The dead worker's lock expires; this worker takes the job up again.
      await processor().worker.resume();
      const done = await waitFor(id, ['published', 'failed'], 180_000);
      expect(done).toMatchObject({ status: 'published', isCurrent: true, progress: 100 });
      expect(await stored(id)).toEqual({ observations: done.observationCount, chunks: 0 });
      const versions = await api.db.query<{ version: number; is_current: boolean }>(
        `select version, is_current from datasets
         where series = (select series from datasets where id = $1) order by version`,
        [id],
      );
      // The earlier test's 2018/19 file is version 1; this one was published exactly once.
      expect(versions).toEqual([
        { version: 1, is_current: false },
        { version: 2, is_current: true },
      ]);
    } finally {
      child.kill('SIGKILL');
      await processor().worker.resume();
    }
  }, 300_000);
});

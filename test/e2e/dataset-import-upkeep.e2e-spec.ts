import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import request from 'supertest';

import { QUEUES } from '@schoolbench/queue';
import { signIn } from '@schoolbench/testing';

// The worker as deployed; tests are the one place that imports an app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const KS2_2019 = readFileSync(
  join(__dirname, '../../../shared/data/dfe/la-850-hampshire/2018-2019_850_ks2final.csv'),
);

/**
 * SPEC §12: Redis restarted, queued work completes. An upload whose job Redis lost (as a Redis
 * without persistence loses everything on restart) is queued again by the worker's upkeep and
 * published once: its bytes were in Postgres all along.
 */
describe('dataset imports whose job Redis lost', () => {
  let api: ApiUnderTest;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    api = await startApiUnderTest({ IMPORT_IN_BACKGROUND_ABOVE_BYTES: '100000' });
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  it('are queued again by the worker and published exactly once', async () => {
    const admin = api.a.users.la_admin!;
    const token = await signIn(api.app, admin.email, admin.password);
    const res = await request(api.app.getHttpServer())
      .post('/api/datasets')
      .set('Authorization', `Bearer ${token}`)
      .attach('file', KS2_2019, '2018-2019_850_ks2final.csv')
      .expect(202);
    const id: string = res.body.datasetId;

    // No worker yet; the job vanishes from Redis.
    const queue = api.app.get<Queue>(getQueueToken(QUEUES.datasetImports));
    await (await queue.getJob(id))!.remove();
    expect(await queue.getJob(id)).toBeUndefined();

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();

    const until = Date.now() + 60_000;
    let status = 'queued';
    while (!['published', 'failed'].includes(status) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      [{ status }] = await api.db.query<{ status: string }>(
        'select status from datasets where id = $1',
        [id],
      );
    }
    expect(status).toBe('published');
    const [counts] = await api.db.query<{ datasets: number; chunks: number; observations: number }>(
      `select (select count(*)::int from datasets where content_hash = (select content_hash from datasets where id = $1)) as datasets,
              (select count(*)::int from dataset_upload_chunks where dataset_id = $1) as chunks,
              (select count(*)::int from observations where dataset_id = $1) as observations`,
      [id],
    );
    expect(counts).toMatchObject({ datasets: 1, chunks: 0 });
    expect(counts.observations).toBeGreaterThan(1000);
  });
});

import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';

import { QUEUES, redisOptions } from '@schoolbench/queue';
import {
  createTestDatabase,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import { WorkerModule } from './worker.module';

/** The worker runs a real BullMQ job on the real Redis, under each tenant's RLS context. */
describe('worker: refresh-token housekeeping job', () => {
  let db: TestDatabase;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let b: SeededTenant;

  async function token(
    tenant: SeededTenant,
    state: 'live' | 'expired' | 'revoked-old' | 'rotated-live-family',
  ) {
    const user = tenant.users.analyst!;
    const family = crypto.randomUUID();
    const past = "now() - interval '3 days'";
    const rows: string[] = [];
    const insert = async (expires: string, rotated: string | null, revoked: string | null) => {
      const id = crypto.randomUUID();
      rows.push(id);
      await db.query(
        `insert into refresh_tokens (tenant_id, id, user_id, family_id, expires_at, rotated_at, revoked_at)
         values ($1, $2, $3, $4, ${expires}, ${rotated ?? 'null'}, ${revoked ?? 'null'})`,
        [tenant.id, id, user.id, family],
      );
    };
    if (state === 'live') await insert("now() + interval '1 day'", null, null);
    if (state === 'expired') await insert(past, null, null);
    if (state === 'revoked-old') await insert("now() + interval '1 day'", null, past);
    if (state === 'rotated-live-family') {
      // Live token first: the worker's own scheduled purge may run at any moment, and a rotated
      // token whose family has no live one yet is rightly deleted.
      await insert("now() + interval '1 day'", null, null);
      await insert("now() + interval '1 day'", past, null);
    }
    return rows;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    a = await seedTenant(db, { laCode: '850', name: 'Hampshire', roles: ['analyst'] });
    b = await seedTenant(db, { laCode: '815', name: 'North Yorkshire', roles: ['analyst'] });
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  });

  afterAll(async () => {
    await worker.close();
    await db.drop();
  });

  it('registers its schedule and, when run, deletes only tokens that can never be used again, in every tenant', async () => {
    const keep = [
      ...(await token(a, 'live')),
      ...(await token(b, 'live')),
      ...(await token(b, 'rotated-live-family')),
    ];
    await token(a, 'expired');
    await token(b, 'revoked-old');

    const queue = worker.get<Queue>(getQueueToken(QUEUES.housekeeping));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain('refresh-tokens.purge');

    const events = new QueueEvents(QUEUES.housekeeping, {
      connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: db.redisPrefix,
    });
    await events.waitUntilReady();
    const job = await queue.add('refresh-tokens.purge', { olderThanSeconds: 3600 });
    const result = (await job.waitUntilFinished(events, 15_000)) as {
      tenants: number;
      deleted: number;
    };
    await events.close();

    expect(result).toEqual({ tenants: 2, deleted: 2 });
    const left = await db.query<{ id: string }>('select id from refresh_tokens order by id');
    expect(left.map((r) => r.id).sort()).toEqual(keep.sort());
  });
});

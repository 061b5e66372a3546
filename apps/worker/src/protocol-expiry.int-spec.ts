import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';

import { QUEUES, redisOptions } from '@schoolbench/queue';
import {
  createTestDatabase,
  seedDataset,
  seedTenant,
  type SeededDataset,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

import { WorkerModule } from './worker.module';

/**
 * Expiry on time (SPEC §6): a protocol past its end date shares nothing from that day on, in the
 * policies themselves, and the worker's scheduled job records it as expired and marks the
 * comparison runs built on it stale, without any request.
 */
describe('worker: protocol expiry job', () => {
  let db: TestDatabase;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let b: SeededTenant;
  let bData: SeededDataset;
  const protocol = randomUUID();
  const run = randomUUID();

  /** As the tenant's LA admin (the signing functions check who acts). */
  const asTenant = (tenant: SeededTenant, sql: string, params: unknown[] = []) =>
    db.asTenant(tenant.id, sql, params, tenant.users.la_admin!.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [{ urn: 116003, name: 'Cedar Secondary A', phase: 'Secondary' }],
    });
    b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121902, name: 'Yarm Academy B', phase: 'Secondary' }],
    });
    bData = await seedDataset(db, b, {
      fileName: 'north-yorkshire-ks4.csv',
      measures: [{ code: 'ks4_attainment8', values: [51.2] }],
    });
    const parties = [a.id, b.id];
    await db.query(
      `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
      [a.id, protocol, parties],
    );
    await db.query(
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
         period_from, period_to, disclosure, valid_from, valid_to)
       values ($1, $2, 1, 'Expiring', 'Expiry test', $3, '{ks4_attainment8}', 201819, 201819, 'named',
         current_date - 30, current_date + 30)`,
      [a.id, protocol, parties],
    );
    for (const party of [a, b]) {
      await asTenant(party, 'select protocol_sign($1, $2, 1)', [a.id, protocol]);
    }
    await db.query(
      `insert into comparison_runs (tenant_id, id, method, method_version, parameters, dataset_versions,
         status, progress, result_key, finished_at)
       values ($1, $2, 'context-knn-v1', 1, '{}', $3, 'completed', 100, $4, now())`,
      [
        a.id,
        run,
        JSON.stringify([{ tenantId: b.id, id: bData.id }]),
        randomUUID().replace(/-/g, '').padEnd(64, '0'),
      ],
    );
    await db.query(
      `insert into comparison_benchmarks (tenant_id, run_id, urn, measure, period, value, group_n)
       values ($1, $2, 116003, 'ks4_attainment8', 201819, 48.1, 1)`,
      [a.id, run],
    );
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await db?.drop();
  });

  const partnerRows = async () =>
    (await asTenant(a, 'select urn from observations where tenant_id <> $1', [a.id])).length;

  it('shares nothing past the end date at once, and the scheduled job records the expiry', async () => {
    expect(await partnerRows()).toBe(1);
    expect(await asTenant(a, 'select urn from comparison_benchmarks')).toEqual([{ urn: 116003 }]);

    // The end date passes: what the calendar does, written into the stored dates.
    await db.query(
      `update protocol_versions set valid_to = current_date - 1 where protocol_id = $1;
       update sharing_grants set valid_to = current_date - 1 where protocol_id = $1;
       update sharing_reach set valid_to = current_date - 1 where protocol_id = $1`.replace(
        /\$1/g,
        `'${protocol}'`,
      ),
    );
    // The very next read: the policies compare dates themselves, before any job has run.
    expect(await partnerRows()).toBe(0);
    expect(await asTenant(a, 'select urn from comparison_benchmarks')).toEqual([]);

    const queue = worker.get<Queue>(getQueueToken(QUEUES.sharing));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain('protocols.expire');

    const events = new QueueEvents(QUEUES.sharing, {
      connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: db.redisPrefix,
    });
    await events.waitUntilReady();
    const job = await queue.add('protocols.expire', {});
    await job.waitUntilFinished(events, 15_000);
    await events.close();

    const [state] = await db.query<{ status: string; version_in_force: number | null }>(
      'select status, version_in_force from protocols where id = $1',
      [protocol],
    );
    expect(state).toEqual({ status: 'expired', version_in_force: null });
    const history = await db.query<{ event: string }>(
      'select event from protocol_events where protocol_id = $1 order by id',
      [protocol],
    );
    expect(history.map((e) => e.event)).toEqual(['signed', 'signed', 'activated', 'expired']);
    expect(
      await db.query('select 1 from sharing_grants where protocol_id = $1', [protocol]),
    ).toEqual([]);
    const [stale] = await db.query<{ stale: boolean }>(
      'select stale from comparison_runs where id = $1',
      [run],
    );
    expect(stale.stale).toBe(true);

    // An expired protocol cannot be brought back by signing.
    await expect(asTenant(b, 'select protocol_sign($1, $2, 1)', [a.id, protocol])).rejects.toThrow(
      /expired protocol cannot be signed/,
    );
  });
});

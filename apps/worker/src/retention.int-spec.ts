import { randomUUID } from 'node:crypto';
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

/**
 * The worker's `retention.apply` job on the real Redis and PostgreSQL: what is older than each
 * configured period goes, in every tenant, and each run records what it removed; authorities
 * whose exit's retention period is over lose every row.
 */
describe('worker: retention job', () => {
  let db: TestDatabase;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let b: SeededTenant;
  let leaver: SeededTenant;
  const keptExports: string[] = [];
  const expiredExports: string[] = [];
  const kept: Record<string, string[]> = {
    access_log: [],
    datasets: [],
    comparison_runs: [],
    users: [],
  };

  async function accessLog(tenant: SeededTenant, reader: SeededTenant, age: string) {
    const id = randomUUID();
    await db.query(
      `insert into access_log (tenant_id, id, at, reader_tenant_id, protocol_owner_id, protocol_id,
         protocol_version, operation, urns, measures, row_count)
       values ($1, $2, now() - $4::interval, $3, $1, gen_random_uuid(), 1, 'Query.schools', '{}', '{}', 0)`,
      [tenant.id, id, reader.id, age],
    );
    return id;
  }

  async function dataset(tenant: SeededTenant, status: string, age: string) {
    const id = randomUUID();
    await db.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, created_at)
       values ($1, $2, $3, 1, 'file.csv', $4, $5, now() - $6::interval)`,
      [tenant.id, id, `series-${id}`, id.replace(/-/g, '').padEnd(64, '0'), status, age],
    );
    return id;
  }

  async function run(tenant: SeededTenant, status: string, age: string) {
    const id = randomUUID();
    await db.query(
      `insert into comparison_runs (tenant_id, id, method, method_version, parameters, status, result_key,
         created_at, finished_at)
       values ($1, $2, 'context-knn-v1', 1, '{}', $3::text, $4, now() - $5::interval,
               case when $3::text in ('completed', 'failed', 'cancelled') then now() - $5::interval end)`,
      [tenant.id, id, status, id.replace(/-/g, '').padEnd(64, '0'), age],
    );
    return id;
  }

  /** A ready export with one archive chunk, expiring at now() + `expiresIn`. */
  async function tenantExport(tenant: SeededTenant, expiresIn: string) {
    const id = randomUUID();
    await db.query(
      `insert into tenant_exports (tenant_id, id, requested_via, status, progress, file_name,
         size_bytes, sha256, finished_at, expires_at)
       values ($1, $2, 'cli', 'ready', 100, 'export.tar.gz', 3, $3, now(), now() + $4::interval)`,
      [tenant.id, id, 'e'.repeat(64), expiresIn],
    );
    await db.query(
      `insert into tenant_export_chunks (tenant_id, export_id, seq, bytes) values ($1, $2, 0, '\\x010203')`,
      [tenant.id, id],
    );
    return id;
  }

  async function invitation(tenant: SeededTenant, expiresIn: string) {
    const id = randomUUID();
    const email = `invited.${id.slice(0, 8)}@example.test`;
    await db.query(
      `insert into users (tenant_id, id, email, role, invitation_hash, invitation_expires_at)
       values ($1, $2, $3, 'analyst', $4, now() + $5::interval)`,
      [tenant.id, id, email, 'f'.repeat(64), expiresIn],
    );
    await db.query('insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)', [
      email,
      tenant.id,
      id,
    ]);
    return id;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    Object.assign(process.env, {
      RETENTION_ACCESS_LOG_DAYS: '30',
      RETENTION_FAILED_DATASETS_DAYS: '90',
      RETENTION_FINISHED_RUNS_DAYS: '365',
      RETENTION_EXPIRED_INVITATIONS_DAYS: '30',
    });
    a = await seedTenant(db, { laCode: '850', name: 'Hampshire', roles: ['analyst'] });
    b = await seedTenant(db, { laCode: '815', name: 'North Yorkshire', roles: ['analyst'] });
    leaver = await seedTenant(db, {
      laCode: '936',
      name: 'Surrey',
      roles: ['la_admin'],
      schools: [{ urn: 125001, name: 'Surrey Primary' }],
    });

    await accessLog(a, b, '40 days');
    await accessLog(b, a, '31 days');
    kept.access_log.push(await accessLog(a, b, '29 days'));
    await dataset(a, 'failed', '100 days');
    kept.datasets.push(await dataset(a, 'failed', '10 days'));
    kept.datasets.push(await dataset(b, 'published', '400 days'));
    await run(a, 'completed', '400 days');
    await run(b, 'cancelled', '366 days');
    kept.comparison_runs.push(await run(b, 'completed', '300 days'));
    kept.comparison_runs.push(await run(a, 'running', '400 days'));
    await invitation(b, '-40 days');
    kept.users.push(await invitation(b, '-10 days'), await invitation(a, '7 days'));
    kept.users.push(a.users.analyst!.id, b.users.analyst!.id);
    const expiredExport = await tenantExport(b, '-1 hour');
    keptExports.push(await tenantExport(b, '1 hour'), await tenantExport(a, '2 days'));
    expiredExports.push(expiredExport);
    // Surrey's exit started 31 days ago and its retention period ended yesterday.
    await db.query(
      `update tenants set status = 'suspended', exit_started_at = now() - interval '31 days',
         exit_reason = 'Left', exit_delete_after = now() - interval '1 day' where id = $1`,
      [leaver.id],
    );

    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  });

  afterAll(async () => {
    await worker?.close();
    await db.drop();
  });

  it('is scheduled, removes what is past its period in every tenant, and records it', async () => {
    const queue = worker.get<Queue>(getQueueToken(QUEUES.lifecycle));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain('retention.apply');

    // The schedule's first run may already have done the work; run once more and wait for it.
    const events = new QueueEvents(QUEUES.lifecycle, {
      connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: db.redisPrefix,
    });
    await events.waitUntilReady();
    const job = await queue.add('retention.apply', {});
    await job.waitUntilFinished(events, 30_000);
    await events.close();

    const ids = async (sql: string, params: unknown[] = []) =>
      (await db.query<{ id: string }>(sql, params)).map((r) => r.id).sort();
    const others = [a.id, b.id];
    expect({
      access_log: await ids('select id from access_log'),
      datasets: await ids('select id from datasets'),
      comparison_runs: await ids('select id from comparison_runs'),
      users: await ids('select id from users where tenant_id = any($1)', [others]),
    }).toEqual({
      access_log: [...kept.access_log].sort(),
      datasets: [...kept.datasets].sort(),
      comparison_runs: [...kept.comparison_runs].sort(),
      users: [...kept.users].sort(),
    });
    // Nothing of an expired invitation is left to sign in with.
    const directory = await db.query('select 1 from login_directory where user_id <> all($1)', [
      kept.users,
    ]);
    expect(directory).toHaveLength(0);

    // What every run removed, summed over the runs (the scheduled one and ours), per tenant.
    const runs = await db.query<{ removed: Record<string, { by_tenant: Record<string, number> }> }>(
      'select removed from retention_runs order by id',
    );
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const total: Record<string, Record<string, number>> = {};
    for (const r of runs) {
      for (const [kind, { by_tenant }] of Object.entries(r.removed)) {
        for (const [tenant, n] of Object.entries(by_tenant)) {
          total[kind] = { ...total[kind], [tenant]: (total[kind]?.[tenant] ?? 0) + n };
        }
      }
    }
    expect(total).toEqual({
      access_log: { [a.id]: 1, [b.id]: 1 },
      failed_datasets: { [a.id]: 1 },
      finished_runs: { [a.id]: 1, [b.id]: 1 },
      expired_invitations: { [b.id]: 1 },
    });

    // An expired export's archive is gone and the export says so; the others keep theirs.
    const exports = await db.query<{ id: string; status: string; chunks: number }>(
      `select e.id, e.status,
              (select count(*)::int from tenant_export_chunks c
                where c.tenant_id = e.tenant_id and c.export_id = e.id) as chunks
       from tenant_exports e`,
    );
    const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1);
    expect(exports.sort(byId)).toEqual(
      [
        ...expiredExports.map((id) => ({ id, status: 'expired', chunks: 0 })),
        ...keptExports.map((id) => ({ id, status: 'ready', chunks: 1 })),
      ].sort(byId),
    );

    // The authority whose exit was due has no rows left, and its exit is recorded as done.
    const [surrey] = await db.query<{ completed: boolean; schools: string }>(
      `select exit_completed_at is not null as completed,
              (select count(*) from schools where tenant_id = $1) as schools
       from tenants where id = $1`,
      [leaver.id],
    );
    expect(surrey).toEqual({ completed: true, schools: '0' });
  });

  it('keeps everything when every period is 0 (kept for ever)', async () => {
    const count = async () =>
      (
        await db.query<{ n: string }>(
          `select (select count(*) from access_log) + (select count(*) from datasets)
                + (select count(*) from comparison_runs) + (select count(*) from users) as n`,
        )
      )[0].n;
    const before = await count();
    const [{ removed }] = await db.query<{ removed: unknown }>(
      'select retention_apply(0, 0, 0, 0) as removed',
    );
    const none = { total: 0, by_tenant: {} };
    expect(removed).toEqual({
      access_log: none,
      failed_datasets: none,
      finished_runs: none,
      expired_invitations: none,
    });
    expect(await count()).toBe(before);
  });
});

import { cpus, loadavg } from 'node:os';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';

import { AppConfigModule } from '@schoolbench/config';
import {
  APP_ROLE,
  createDatabase,
  DatabaseModule,
  dropDatabase,
  ensureRoles,
  OWNER_ROLE,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';
import { AccessLog } from '@schoolbench/sharing';
import { TenancyModule, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import type { Benchmark } from './benchmark';

const GOAL_RATIO = 2;
const ITERATIONS = 300;
const WARMUP = 30;
const SCHOOLS_PER_AUTHORITY = 300;
const MEASURES = [
  'ks4_attainment8',
  'ks4_progress8',
  'ks4_english_maths_grade5_pct',
  'ks4_ebacc_entry_pct',
];
const PERIODS = [201617, 201718, 201819];
/** One read: 50 of the partner's schools × 4 measures × one year = 200 observation rows. */
const READ_SCHOOLS = 50;
const READ_PERIOD = 201819;

/** What the API process holds for a read: tenancy, the app role's pool, and the real AccessLog. */
@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule], providers: [AccessLog] })
class AccessLogBenchModule {}

interface Authority {
  id: string;
  laCode: string;
  name: string;
  adminId: string;
  firstUrn: number;
}

const AUTHORITIES = [
  { laCode: '850', name: 'Hampshire', firstUrn: 850_000 },
  { laCode: '815', name: 'North Yorkshire', firstUrn: 815_000 },
] as const;

/**
 * Setup, not timed, as the superuser: the public reference tenant, two authorities with an LA
 * admin each, and per authority a published dataset of secondary schools × measures × years.
 */
async function seed(db: Client): Promise<Authority[]> {
  await db.query("insert into tenants (kind, name) values ('public', 'DfE published data')");
  const out: Authority[] = [];
  for (const a of AUTHORITIES) {
    const [{ id }] = (
      await db.query<{ id: string }>(
        "insert into tenants (kind, la_code, name) values ('authority', $1, $2) returning id",
        [a.laCode, a.name],
      )
    ).rows;
    const [{ id: adminId }] = (
      await db.query<{ id: string }>(
        `insert into users (tenant_id, email, role) values ($1, $2, 'la_admin') returning id`,
        [id, `admin@${a.laCode}.bench.invalid`],
      )
    ).rows;
    await db.query(
      `insert into schools (tenant_id, urn, name, phase, la_code)
       select $1, $2 + i, 'School ' || ($2 + i), 'secondary', $3 from generate_series(1, $4) i`,
      [id, a.firstUrn, a.laCode, SCHOOLS_PER_AUTHORITY],
    );
    const [{ id: datasetId }] = (
      await db.query<{ id: string }>(
        `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, is_current, published_at)
         values ($1, gen_random_uuid(), 'ks4', 1, 'ks4.csv', repeat('0', 64), 'published', true, now())
         returning id`,
        [id],
      )
    ).rows;
    await db.query(
      `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier,
         breakdown, value, numerator, denominator)
       select $1, $2, s.urn, m, p, 'Academic year', 'all', 20 + random() * 60, null, 40 + (s.urn % 200)
       from schools s, unnest($3::text[]) m, unnest($4::int[]) p
       where s.tenant_id = $1`,
      [id, datasetId, MEASURES, PERIODS],
    );
    out.push({ id, laCode: a.laCode, name: a.name, adminId, firstUrn: a.firstUrn });
  }
  await db.query('analyze');
  return out;
}

/** As the app role in `tenant`'s context, like a request: one transaction. */
async function asTenant<T>(db: Client, tenant: Authority, fn: () => Promise<T>): Promise<T> {
  await db.query('begin');
  try {
    await db.query(
      "select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)",
      [tenant.id, tenant.adminId],
    );
    const result = await fn();
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/**
 * The owner writes a proposed protocol (named, KS4 2016/17–2018/19, small-cohort threshold 6) and
 * each party's LA admin signs it through `protocol_sign`, which activates it and compiles grants.
 */
async function agreeProtocol(app: Client, [owner, partner]: Authority[]): Promise<string> {
  const [{ id }] = (await app.query<{ id: string }>('select gen_random_uuid() as id')).rows;
  const parties = [owner.id, partner.id];
  await asTenant(app, owner, async () => {
    await app.query(
      `insert into protocols (tenant_id, id, status, current_version, parties, created_by)
       values ($1, $2, 'proposed', 1, $3, $4)`,
      [owner.id, id, parties, owner.adminId],
    );
    await app.query(
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties,
         scope_categories, measures, period_from, period_to, phases, disclosure,
         small_cohort_threshold, valid_from, valid_to, created_by)
       values ($1, $2, 1, 'Secondary benchmarking 2016–2019', 'Benchmarking secondary schools',
         $3, '{attainment}', $4, 201617, 201819, '{secondary}', 'named', 6,
         current_date, current_date + 730, $5)`,
      [owner.id, id, parties, MEASURES, owner.adminId],
    );
  });
  let status = '';
  for (const party of [owner, partner]) {
    status = await asTenant(app, party, async () => {
      const [row] = (
        await app.query<{ status: string }>('select protocol_sign($1, $2, 1) as status', [
          owner.id,
          id,
        ])
      ).rows;
      return row.status;
    });
  }
  if (status !== 'active') throw new Error(`The protocol is ${status} after every signature`);
  return id;
}

interface Timings {
  total: number[];
  log: number[];
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const ms = (v: number): string => `${v.toFixed(2)} ms`.padStart(10);

export const benchmark: Benchmark = {
  description:
    'latency of a partner read of 200 observation rows with the access log written in the same transaction, against the same read without it',
  async run() {
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `sbbench_${Date.now().toString(36)}`;
    await ensureRoles(adminUrl);
    await createDatabase(adminUrl, name);
    const owner = withDatabase(adminUrl, name, OWNER_ROLE);
    const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
    const appClient = new Client({ connectionString: withDatabase(adminUrl, name, APP_ROLE) });
    // Dropping the database at the end ends these connections from the server's side.
    superuser.on('error', () => undefined);
    appClient.on('error', () => undefined);
    const out: string[] = [];
    let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
    try {
      await runMigrations(owner);
      await superuser.connect();
      await appClient.connect();
      const authorities = await seed(superuser);
      const [hampshire, northYorkshire] = authorities as [Authority, Authority];
      const protocolId = await agreeProtocol(appClient, authorities);
      await appClient.end();

      process.env.DATABASE_URL = withDatabase(adminUrl, name, APP_ROLE);
      process.env.DATABASE_POOL_SIZE = '2';
      process.env.LOG_LEVEL = 'silent';
      app = await NestFactory.createApplicationContext(AccessLogBenchModule, { logger: false });
      const context = app.get(TenantContext);
      const tx = app.get(TenantTransactions);
      const accessLog = app.get(AccessLog);

      // North Yorkshire's analyst reads Hampshire's schools, the shape of `observations`: a
      // count and a page, under row-level security (the grant policy admits the rows).
      const urns = Array.from({ length: READ_SCHOOLS }, (_, i) => hampshire.firstUrn + 1 + i);
      const read = async (m: EntityManager) => {
        const params = [hampshire.id, urns, MEASURES, [READ_PERIOD]];
        // Partners' dataset rows are not readable; their current versions come from the grants
        // (as comparisons read them).
        const from = `from observations o
          join shared_current_datasets() d on d.tenant_id = o.tenant_id and d.id = o.dataset_id
          where o.tenant_id = $1 and o.urn = any($2) and o.measure = any($3)
            and o.time_period = any($4)`;
        await m.query(`select count(*)::int as count ${from}`, params);
        return m.query<{ tenant_id: string; urn: number; measure: string; time_period: number }[]>(
          `select o.* ${from} order by o.urn, o.measure, o.time_period, o.breakdown limit 201`,
          params,
        );
      };
      const principal = {
        tenantId: northYorkshire.id,
        userId: northYorkshire.adminId,
        role: 'analyst' as const,
        schoolUrn: null,
        via: 'password' as const,
      };
      let rowsRead = 0;
      const once = (logged: boolean, into?: Timings) =>
        context.runAs(principal, async () => {
          const started = performance.now();
          let logMs = 0;
          await tx.run(async (m) => {
            const rows = await read(m);
            rowsRead = rows.length;
            if (logged) {
              const logStart = performance.now();
              await accessLog.record(
                m,
                'Query.observations',
                rows.map((r) => ({
                  tenantId: r.tenant_id,
                  urn: r.urn,
                  measure: r.measure,
                  period: r.time_period,
                })),
              );
              logMs = performance.now() - logStart;
            }
          });
          into?.total.push(performance.now() - started);
          into?.log.push(logMs);
        });

      await once(false);
      if (rowsRead !== READ_SCHOOLS * MEASURES.length) {
        throw new Error(
          `The partner read returned ${rowsRead} rows, not ${READ_SCHOOLS * MEASURES.length}`,
        );
      }
      for (let i = 0; i < WARMUP; i++) {
        await once(true);
        await once(false);
      }
      const withLog: Timings = { total: [], log: [] };
      const withoutLog: Timings = { total: [], log: [] };
      // Interleaved, alternating which goes first, so drift in the machine's load hits both.
      for (let i = 0; i < ITERATIONS; i++) {
        if (i % 2 === 0) {
          await once(true, withLog);
          await once(false, withoutLog);
        } else {
          await once(false, withoutLog);
          await once(true, withLog);
        }
      }

      const [entries] = (
        await superuser.query<{ n: number; rows: number; urns: number; measures: number }>(
          `select count(*)::int as n, max(row_count) as rows, max(cardinality(urns)) as urns,
                  max(cardinality(measures)) as measures
           from access_log where protocol_id = $1 and reader_tenant_id = $2`,
          [protocolId, northYorkshire.id],
        )
      ).rows;
      const [{ synchronous_commit: syncCommit }] = (
        await superuser.query<{ synchronous_commit: string }>('show synchronous_commit')
      ).rows;
      const p50 = (t: Timings) => percentile(t.total, 0.5);
      const p95 = (t: Timings) => percentile(t.total, 0.95);
      const ratio50 = p50(withLog) / p50(withoutLog);
      const ratio95 = p95(withLog) / p95(withoutLog);
      const pass = ratio50 < GOAL_RATIO && ratio95 < GOAL_RATIO;
      out.push(
        `Access log cost: North Yorkshire (815) reads ${rowsRead} observation rows of Hampshire (850) under an active named protocol`,
        `(${READ_SCHOOLS} schools × ${MEASURES.length} measures × ${READ_PERIOD}; count + page, as the app role under RLS, one transaction per read)`,
        `${ITERATIONS} reads each, interleaved, after ${WARMUP} warm-up reads each; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} on ${cpus().length} CPUs`,
        '',
        `                                               p50         p95`,
        `  read + AccessLog.record (2 lookups, 1 insert)${ms(p50(withLog))}  ${ms(p95(withLog))}`,
        `  same read, no log (peer)                     ${ms(p50(withoutLog))}  ${ms(p95(withoutLog))}`,
        `  of which AccessLog.record alone              ${ms(percentile(withLog.log, 0.5))}  ${ms(percentile(withLog.log, 0.95))}`,
        `  ratio logged / unlogged                      ${ratio50.toFixed(2).padStart(7)} ×   ${ratio95.toFixed(2).padStart(7)} ×`,
        `  (beyond record() itself, the logged read's COMMIT waits for a WAL flush, synchronous_commit = ${syncCommit}; the unlogged read wrote nothing and has none)`,
        '',
        `  access_log rows written: ${entries.n} (one per logged read: ${ITERATIONS + WARMUP} expected), ` +
          `each ${entries.rows} rows, ${entries.urns} schools, ${entries.measures} measures`,
        '',
        `goal: the log does not double latency (ratio < ${GOAL_RATIO} at p50 and p95) ..... ${pass ? 'PASS' : 'FAIL'}`,
      );
    } finally {
      await app?.close();
      await appClient.end().catch(() => undefined);
      await superuser.end().catch(() => undefined);
      await dropDatabase(adminUrl, name);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

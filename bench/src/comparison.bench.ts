import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';

import {
  benchmarkedSchools,
  ComparisonJobsModule,
  ComparisonRunsService,
  computeBenchmarks,
  computeGroups,
  groupRows,
  normaliseRequest,
  outcomePeriods,
  readObservationFiles,
  type FileObservations,
} from '@schoolbench/comparisons';
import { defaultComparisonMethods } from '@schoolbench/comparisons-core';
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
import { LoggingModule } from '@schoolbench/observability';
import { QueueModule } from '@schoolbench/queue';
import { TenancyModule, TenantContext } from '@schoolbench/tenancy';
import { deleteRedisKeys } from '@schoolbench/testing';

import { seconds, sharedDataFile, type Benchmark } from './benchmark';

const GOAL_SECONDS = 10;
const GOAL_RSS_MIB = 1024;
const MEASURES = [
  'ks2_rwm_expected_pct',
  'ks2_reading_expected_pct',
  'ks2_reading_progress',
  'ks2_writing_progress',
  'ks2_maths_progress',
];
const FILES = [
  '2018-2019_england_census.csv',
  '2016-2017_england_ks2_extract.csv',
  '2017-2018_england_ks2_extract.csv',
  '2018-2019_england_ks2final_extract.csv',
].map((f) => `dfe/national/${f}`);
const REQUEST = {
  target: { allSchools: true },
  phase: 'primary',
  period: '201819',
  outcomeMeasures: MEASURES,
};

/** The worker's phases (`summary.timingsMs`) as the report names them. */
const PHASES: Readonly<Record<string, string>> = {
  load: 'load (population and context)',
  groups: 'groups',
  benchmarks: 'benchmarks (results inserted meanwhile)',
  write: 'write (rest of the result transaction)',
};

/** The authority of the second end-to-end run (Hampshire). */
const AUTHORITY = '850';

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

function line(label: string, ms: number, note = ''): string {
  return `  ${label.padEnd(56)}${seconds(ms).padStart(10)}  ${note}`.trimEnd();
}

/** The worker as deployed (its comparison jobs), plus the service that requests a run. */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    LoggingModule,
    DatabaseModule,
    QueueModule,
    ComparisonJobsModule,
  ],
  providers: [ComparisonRunsService],
})
class WorkerChildModule {}

interface WorkerResult {
  endToEndMs: number;
  jobMs: number;
  timings: Record<string, number>;
  status: string;
  message: string | null;
  error: string | null;
  groups: number;
  benchmarks: number;
  maxRssMiB: number;
}

/**
 * Timed: one comparison run of every primary school the tenant holds, from the request to the
 * completed row — queue, loading from Postgres under RLS, groups, benchmarks and the result
 * transaction — in a process of its own, so its peak RSS is the worker's.
 */
async function workerChild(tenant: string): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerChildModule, { logger: false });
  await app.init();
  const admin = new Client({ connectionString: process.env.BENCH_SUPERUSER_URL });
  await admin.connect();
  try {
    const [{ id: tenantId }] = (
      await admin.query<{ id: string }>(
        "select id from tenants where (kind = 'public' and $1 = 'public') or la_code = $1",
        [tenant],
      )
    ).rows;
    const started = performance.now();
    const run = await app
      .get(TenantContext)
      .runAs({ tenantId, userId: '', role: 'analyst', schoolUrn: null, via: 'cli' }, () =>
        app.get(ComparisonRunsService).request(REQUEST),
      );
    for (;;) {
      const [row] = (
        await admin.query<{ status: string }>('select status from comparison_runs where id = $1', [
          run.id,
        ])
      ).rows;
      if (row && ['completed', 'failed', 'cancelled'].includes(row.status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const endToEndMs = performance.now() - started;
    const [done] = (
      await admin.query<{
        status: string;
        message: string | null;
        error: string | null;
        job_ms: number;
        timings: Record<string, number>;
        groups: number;
        benchmarks: number;
      }>(
        `select status, message, error,
                extract(epoch from finished_at - started_at) * 1000 as job_ms,
                summary->'timingsMs' as timings,
                (select count(*)::int from comparison_groups where run_id = r.id) as groups,
                (select count(*)::int from comparison_benchmarks where run_id = r.id) as benchmarks
         from comparison_runs r where id = $1`,
        [run.id],
      )
    ).rows;
    const result: WorkerResult = {
      endToEndMs,
      jobMs: Number(done.job_ms),
      timings: done.timings,
      status: done.status,
      message: done.message,
      error: done.error,
      groups: done.groups,
      benchmarks: done.benchmarks,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await admin.end();
    await app.close();
  }
}

function runChild(env: NodeJS.ProcessEnv, args: string[]): string {
  const res = spawnSync(process.execPath, [join(__dirname, 'main.js'), 'comparison', ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`${args[0]} failed:\n${res.stderr}\n${res.stdout}`);
  return res.stdout;
}

/** The worker's computation alone, on the files read straight into memory. */
async function inMemory(out: string[]): Promise<FileObservations> {
  const loadStart = performance.now();
  const read = await readObservationFiles(
    FILES.map((f) => sharedDataFile(f)),
    'public',
  );
  const loadMs = performance.now() - loadStart;
  const schools = read.schools.filter((s) => s.phase === 'primary');
  const { method, parameters } = normaliseRequest(REQUEST, defaultComparisonMethods());
  const periods = outcomePeriods(parameters.period);
  const start = performance.now();
  const grouped = computeGroups({
    method,
    parameters,
    schools,
    context: read.observations,
    targets: schools.map((s) => s.urn),
  });
  const groupsMs = performance.now() - start;
  const notes = [...grouped.notes];
  const benchmarks = computeBenchmarks({
    result: grouped,
    measures: MEASURES,
    periods,
    outcomes: read.observations,
    notes,
  });
  const benchmarksMs = performance.now() - start - groupsMs;
  const rows = groupRows(grouped);
  const totalMs = performance.now() - start;
  out.push(
    `Full comparison job: ${grouped.targets.length} state-funded primary schools (national census 2018/19), ${method.id}, k = ${parameters.k}`,
    `outcomes: ${MEASURES.join(', ')}; periods ${periods.join(', ')} (where published)`,
    `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs; one run each`,
    '',
    'computation only (the worker’s functions, data read from the files into memory):',
    line(`read ${FILES.length} national files (${read.count} observations)`, loadMs, 'not timed'),
    line(
      `population + groups (${grouped.groups.size} schools)`,
      groupsMs,
      `${grouped.populationExcluded} left out (a feature missing)`,
    ),
    line(
      `benchmarks (${benchmarks.length} rows)`,
      benchmarksMs,
      `${benchmarkedSchools(grouped).length} schools' outcomes read`,
    ),
    line(`group rows (${rows.length})`, totalMs - groupsMs - benchmarksMs),
    line('computation total', totalMs),
    ...notes.map((n) => `  note: ${n}`),
  );
  return read;
}

/**
 * Setup, not timed: the files' schools and observations written as one published dataset of the
 * public reference tenant, as the superuser (the importer's own speed is `bench -- import`'s).
 */
export async function loadReference(db: Client, read: FileObservations): Promise<void> {
  const [{ id: tenantId }] = (
    await db.query<{ id: string }>(
      "insert into tenants (kind, name) values ('public', 'DfE published data') returning id",
    )
  ).rows;
  await db.query(
    `insert into schools (tenant_id, urn, name, phase, la_code)
     select $1, u.urn, 'School ' || u.urn, u.phase, u.la_code
     from unnest($2::int[], $3::text[], $4::text[]) as u(urn, phase, la_code)`,
    [
      tenantId,
      read.schools.map((s) => s.urn),
      read.schools.map((s) => s.phase),
      read.schools.map((s) => s.laCode),
    ],
  );
  const [{ id: datasetId }] = (
    await db.query<{ id: string }>(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, is_current, published_at)
       values ($1, gen_random_uuid(), 'national', 1, 'national files', repeat('0', 64), 'published', true, now())
       returning id`,
      [tenantId],
    )
  ).rows;
  const rows = [...read.observations.entries()];
  for (let i = 0; i < rows.length; i += 50_000) {
    const batch = rows.slice(i, i + 50_000);
    await db.query(
      `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, suppression)
       select $1, $2, u.urn, u.measure, u.period, 'Academic year', u.breakdown, u.value, u.suppression
       from unnest($3::text[], $4::int[], $5::text[], $6::int[], $7::float8[], $8::text[])
         as u(measure, period, breakdown, urn, value, suppression)`,
      [
        tenantId,
        datasetId,
        batch.map((r) => r[0]),
        batch.map((r) => Number(r[1])),
        batch.map((r) => r[2]),
        batch.map((r) => r[3]),
        batch.map((r) => (typeof r[4] === 'number' ? r[4] : null)),
        batch.map((r) => (typeof r[4] === 'string' ? r[4] : null)),
      ],
    );
  }
  // An authority holding its own register only: its run reads England as reference data.
  await db.query(
    `with authority as (
       insert into tenants (kind, la_code, name) values ('authority', $2, 'Hampshire') returning id)
     insert into schools (tenant_id, urn, name, phase, la_code)
     select authority.id, s.urn, s.name, s.phase, s.la_code from schools s, authority
     where s.tenant_id = $1 and s.la_code = $2`,
    [tenantId, AUTHORITY],
  );
  await db.query('analyze');
}

export const benchmark: Benchmark = {
  description:
    'full comparison job (context-knn-v1, k = 20, 5 KS2 measures over 3 years) for every state-funded primary school',
  async run(args) {
    if (args[0] === '--worker-child') return workerChild(args[1] ?? 'public');

    const out: string[] = [];
    const read = await inMemory(out);

    // End to end: a throwaway database holding the national files as the public reference
    // tenant's data; that tenant runs all its primary schools, then an authority runs its own.
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `sbbench_${Date.now().toString(36)}`;
    const prefix = `${name}:queue`;
    await ensureRoles(adminUrl);
    await createDatabase(adminUrl, name);
    const owner = withDatabase(adminUrl, name, OWNER_ROLE);
    const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
    // Dropping the database at the end ends this connection from the server's side.
    superuser.on('error', () => undefined);
    try {
      await runMigrations(owner);
      await superuser.connect();
      const loadStart = performance.now();
      await loadReference(superuser, read);
      const loadMs = performance.now() - loadStart;
      const env = {
        ...process.env,
        DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
        DATABASE_OWNER_URL: owner,
        BENCH_SUPERUSER_URL: withDatabase(adminUrl, name),
        REDIS_PREFIX: prefix,
        LOG_LEVEL: 'silent',
      };
      const runs = (['public', AUTHORITY] as const).map((tenant) => {
        const stdout = runChild(env, ['--worker-child', tenant]);
        const resultLine = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!resultLine) throw new Error(`The worker child printed no result:\n${stdout}`);
        return JSON.parse(resultLine.slice(7)) as WorkerResult;
      });
      const report = (title: string, r: WorkerResult): string[] => [
        '',
        title,
        line(
          `request to completed run (${r.status})`,
          r.endToEndMs,
          `${r.groups} group rows, ${r.benchmarks} benchmark rows written`,
        ),
        line('  of which the worker (started → finished)', r.jobMs),
        // Consecutive phases; the result transaction opens at the start of `benchmarks`, and
        // groups and benchmarks are inserted while the benchmarks are computed.
        ...Object.entries(PHASES)
          .filter(([phase]) => r.timings?.[phase] !== undefined)
          .map(([phase, label]) => line(`    ${label}`, r.timings[phase])),
        `  peak RSS of the worker process: ${r.maxRssMiB.toFixed(0)} MiB`,
        ...(r.error ? [`  error: ${r.error}`] : []),
      ];
      const [national, authority] = runs as [WorkerResult, WorkerResult];
      out.push(
        '',
        'end to end: request → queue → worker loads from Postgres under RLS → computes → writes in one transaction',
        line(
          `setup: ${read.count} observations written as the reference tenant's`,
          loadMs,
          'not timed',
        ),
        ...report(
          'the national job: every primary school of the reference tenant as a target',
          national,
        ),
        ...report(
          `an authority's job: Hampshire's (${AUTHORITY}) primary schools against all of England`,
          authority,
        ),
        '',
        `goal: national job ≤ ${GOAL_SECONDS} s end to end ........ ${verdict(national.status === 'completed' && national.endToEndMs <= GOAL_SECONDS * 1000)} (${seconds(national.endToEndMs)})`,
        `goal: national worker RSS ≤ 1 GiB ........... ${verdict(national.maxRssMiB <= GOAL_RSS_MIB)} (${mib(national.maxRssMiB * 1024 ** 2)})`,
        `      authority job ≤ ${GOAL_SECONDS} s end to end ....... ${verdict(authority.status === 'completed' && authority.endToEndMs <= GOAL_SECONDS * 1000)} (${seconds(authority.endToEndMs)}), RSS ${mib(authority.maxRssMiB * 1024 ** 2)}`,
      );
    } finally {
      await superuser.end().catch(() => undefined);
      await dropDatabase(adminUrl, name);
      await deleteRedisKeys(prefix);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

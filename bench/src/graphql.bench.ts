import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as argon2 from 'argon2';
import autocannon from 'autocannon';
import { Client } from 'pg';

import {
  ComparisonJobsModule,
  ComparisonRunsService,
  readObservationFiles,
} from '@schoolbench/comparisons';
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
import { TenancyModule, TenantContext, type Principal } from '@schoolbench/tenancy';
import { deleteRedisKeys } from '@schoolbench/testing';

import { sharedDataFile, type Benchmark } from './benchmark';
import { loadReference } from './comparison.bench';
import { PEER_FUNCTIONS, startPostGraphile } from './postgraphile-peer';

const MEASURES = [
  'ks2_rwm_expected_pct',
  'ks2_reading_expected_pct',
  'ks2_reading_progress',
  'ks2_writing_progress',
  'ks2_maths_progress',
];
const LIST_MEASURES = ['ks2_rwm_expected_pct', 'ks2_reading_progress'];
const PERIODS = ['201617', '201718', '201819'];
const FILES = [
  '2018-2019_england_census.csv',
  '2016-2017_england_ks2_extract.csv',
  '2017-2018_england_ks2_extract.csv',
  '2018-2019_england_ks2final_extract.csv',
].map((f) => `dfe/national/${f}`);
const CONCURRENCY = [1, 10, 50];
const SECONDS = Number(process.env.BENCH_GRAPHQL_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
/**
 * Before any measurement each server serves every workload for this long at concurrency 10: V8
 * optimises a large server's hot path over its first few thousand requests (measured: the nested
 * query's CPU per request fell from 3.0 to 2.0 ms over the first 4,000), so without it the first
 * workload measured would mostly measure the compiler.
 */
const WARMUP_START_SECONDS = Number(process.env.BENCH_GRAPHQL_WARMUP_SECONDS ?? 5);
const SECRET = 'graphql-bench-secret-0123456789abcdef-0123456789';
const PASSWORD = 'graphql bench password';
const GOALS = { nestedP95: 50, listP95: 100, cpuMs: 2 };

/** The worker's comparison jobs, in this process, to produce the runs the queries read. */
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
class RunsModule {}

// ---- the queries: SchoolBench's and the equivalent PostGraphile ones -----------------------

const SB_NESTED = `query($id: ID!, $urn: Int!) { comparisonRun(id: $id) { id status
  groups(urn: $urn) { urn members { rank urn name laCode distance featureShares { feature share } } }
  benchmarks(urn: $urn) { urn measure period value median lowerQuartile upperQuartile
    percentileRank rank rankOf gapToMedian trendSlope } } }`;

const PG_NESTED = `query($tenant: UUID!, $id: UUID!, $urn: Int!) {
  run: comparisonRunByTenantIdAndRowId(tenantId: $tenant, rowId: $id) { rowId status
    groups: comparisonGroupsByTenantIdAndRunId(condition: { urn: $urn }, orderBy: [RANK_ASC]) {
      nodes { urn rank neighbourUrn distance featureShares school { name laCode } } }
    benchmarks: comparisonBenchmarksByTenantIdAndRunId(condition: { urn: $urn },
        orderBy: [MEASURE_ASC, PERIOD_ASC]) {
      nodes { urn measure period value median q1 q3 percentileRank rank rankOf gapToMedian
        trendSlope } } } }`;

const SB_LIST = `query($measures: [String!], $periods: [String!]) { schools(first: 50) { nodes { urn name
  observations(filter: { measures: $measures, periods: $periods }) {
    measure timePeriod breakdown value suppression } } } }`;

const PG_LIST = `query($tenant: UUID!, $measures: [String], $periods: [Int]) {
  allSchools(condition: { tenantId: $tenant }, first: 50, orderBy: [URN_ASC]) { nodes { urn name
    currentObservations(measureCodes: $measures, timePeriods: $periods) {
      nodes { measure timePeriod breakdown value suppression } } } } }`;

interface Workload {
  name: string;
  sb: { token: string; query: string; variables: Record<string, unknown> };
  pg: { token: string; query: string; variables: Record<string, unknown> };
  nested: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e9) / 1e9);

/** Both answers as the same plain rows, to check that the two servers returned the same data. */
function nestedRows(sb: Json, pg: Json): [unknown, unknown] {
  const sbRun = sb.comparisonRun;
  const pgRun = pg.run;
  const a = {
    status: String(sbRun.status).toLowerCase(),
    members: sbRun.groups.flatMap((g: Json) =>
      g.members.map((m: Json) => ({
        urn: g.urn,
        rank: m.rank,
        neighbour: m.urn,
        name: m.name,
        laCode: m.laCode,
        distance: round(m.distance),
        shares: m.featureShares.map((s: Json) => round(s.share)).sort(),
      })),
    ),
    benchmarks: sbRun.benchmarks.map((b: Json) => ({
      urn: b.urn,
      measure: b.measure,
      period: Number(b.period),
      value: round(b.value),
      median: round(b.median),
      q1: round(b.lowerQuartile),
      q3: round(b.upperQuartile),
      percentileRank: round(b.percentileRank),
      rank: b.rank,
      rankOf: b.rankOf,
      gap: round(b.gapToMedian),
      trend: round(b.trendSlope),
    })),
  };
  const b = {
    status: pgRun.status,
    members: pgRun.groups.nodes.map((m: Json) => ({
      urn: m.urn,
      rank: m.rank,
      neighbour: m.neighbourUrn,
      name: m.school?.name ?? null,
      laCode: m.school?.laCode ?? null,
      distance: round(m.distance),
      shares: (m.featureShares as (number | null)[])
        .filter((s) => s !== null)
        .map((s) => round(s))
        .sort(),
    })),
    benchmarks: pgRun.benchmarks.nodes.map((x: Json) => ({
      urn: x.urn,
      measure: x.measure,
      period: x.period,
      value: round(x.value),
      median: round(x.median),
      q1: round(x.q1),
      q3: round(x.q3),
      percentileRank: round(x.percentileRank),
      rank: x.rank,
      rankOf: x.rankOf,
      gap: round(x.gapToMedian),
      trend: round(x.trendSlope),
    })),
  };
  return [a, b];
}

function listRows(sb: Json, pg: Json): [unknown, unknown] {
  const key = (o: Json) => `${o.measure}|${o.timePeriod}|${o.breakdown}`;
  const rows = (schools: Json[], observations: (s: Json) => Json[]) =>
    schools.map((s) => ({
      urn: s.urn,
      name: s.name,
      observations: observations(s)
        .map((o) => ({
          key: key(o),
          period: Number(o.timePeriod),
          value: round(o.value),
          suppression: o.suppression,
        }))
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
    }));
  return [
    rows(sb.schools.nodes, (s) => s.observations),
    rows(pg.allSchools.nodes, (s) => s.currentObservations.nodes),
  ];
}

// ---- processes -----------------------------------------------------------------------------

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

/** Starts a server process and waits for the line that names its port. */
function startServer(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  portLine: RegExp,
): Promise<Server> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const port = portLine.exec(out)?.[1];
      if (port) resolve({ name, url: `http://127.0.0.1:${port}/graphql`, child });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${err}\n${out}`)));
  });
}

/**
 * User + system CPU time so far of each PostgreSQL process on this machine (the bench's server
 * backends among them), by pid, in ms: only one server is loaded at a time, so the growth over a
 * measurement is what its requests cost the database (plus the background processes' little).
 */
function postgresCpuMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) continue;
      byPid.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // The process ended meanwhile.
    }
  }
  return byPid;
}

/** CPU that PostgreSQL's processes used since `before` (a process that ended is not counted). */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** User + system CPU time of a process so far, in ms (Linux `/proc/<pid>/stat`, 100 Hz ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function post(url: string, token: string, query: string, variables: unknown): Promise<Json> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Json; errors?: unknown[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`${url}: ${res.status} ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

interface Measured {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
  failed: number;
  cpuPerRequest: number;
  /** PostgreSQL's CPU per answered request (all its processes on this machine), in ms. */
  postgresCpuPerRequest: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

/** Loads one server with one query at one concurrency; latencies of every answered request. */
async function load(
  server: Server,
  request: { token: string; query: string; variables: Record<string, unknown> },
  connections: number,
  seconds: number,
): Promise<Measured> {
  const latencies: number[] = [];
  let failed = 0;
  const cpuBefore = cpuMs(server.child.pid!);
  const postgresBefore = postgresCpuMs();
  const instance = autocannon({
    url: server.url,
    connections,
    duration: seconds,
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
    body: JSON.stringify({ query: request.query, variables: request.variables }),
    setupClient(client) {
      // A GraphQL error is answered with status 200: count it as a failure too.
      client.on('body', (body: Buffer) => {
        if (body.includes('"errors"')) failed++;
      });
    },
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
    else failed++;
  });
  const result = await instance;
  const cpu = cpuMs(server.child.pid!) - cpuBefore;
  const postgresCpu = postgresCpuSince(postgresBefore);
  latencies.sort((a, b) => a - b);
  failed += result.errors + result.timeouts;
  return {
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    rps: latencies.length / seconds,
    requests: latencies.length,
    failed,
    // None answered within the time (slower than the measurement): no figure, not a huge one.
    cpuPerRequest: latencies.length ? cpu / latencies.length : NaN,
    postgresCpuPerRequest: latencies.length ? postgresCpu / latencies.length : NaN,
  };
}

// ---- setup ---------------------------------------------------------------------------------

interface Seeded {
  hampshire: string;
  analyst: { id: string; email: string };
  headteacher: { id: string; email: string; urn: number };
  allSchoolsRun: string;
  headteacherRun: string;
  analystUrn: number;
}

async function seedUsers(db: Client, tenantId: string, urn: number) {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
  const users: Record<string, string> = {};
  for (const [role, school] of [
    ['analyst', null],
    ['headteacher', urn],
  ] as const) {
    const email = `${role}@hampshire.bench.invalid`;
    const [{ id }] = (
      await db.query<{ id: string }>(
        `insert into users (tenant_id, email, role, school_urn, password_hash)
         values ($1, $2, $3, $4, $5) returning id`,
        [tenantId, email, role, school, hash],
      )
    ).rows;
    await db.query('insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)', [
      email,
      tenantId,
      id,
    ]);
    users[role] = id;
  }
  return users;
}

/** Requests a run as `principal` with the worker in this process, and waits until it completes. */
async function completedRun(
  app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>,
  db: Client,
  principal: Principal,
  target: { allSchools: true } | { urn: number },
): Promise<string> {
  const run = await app
    .get(TenantContext)
    .runAs(principal, () =>
      app
        .get(ComparisonRunsService)
        .request({ target, phase: 'primary', period: '201819', outcomeMeasures: MEASURES }),
    );
  for (;;) {
    const [row] = (
      await db.query<{ status: string; error: string | null }>(
        'select status, error from comparison_runs where id = $1',
        [run.id],
      )
    ).rows;
    if (row?.status === 'completed') return run.id;
    if (row && ['failed', 'cancelled'].includes(row.status)) {
      throw new Error(`Run ${run.id} ${row.status}: ${row.error}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function seed(db: Client, prefix: string): Promise<Seeded> {
  const read = await readObservationFiles(
    FILES.map((f) => sharedDataFile(f)),
    'public',
  );
  await loadReference(db, read);
  const [{ id: hampshire }] = (
    await db.query<{ id: string }>("select id from tenants where la_code = '850'")
  ).rows;
  // A placeholder school for the headteacher until the all-schools run shows which are grouped.
  const [{ urn: firstUrn }] = (
    await db.query<{ urn: number }>(
      "select urn from schools where tenant_id = $1 and phase = 'primary' order by urn limit 1",
      [hampshire],
    )
  ).rows;
  const users = await seedUsers(db, hampshire, firstUrn);
  process.env.REDIS_PREFIX = prefix;
  const app = await NestFactory.createApplicationContext(RunsModule, { logger: false });
  await app.init();
  try {
    const analyst: Principal = {
      tenantId: hampshire,
      userId: users.analyst,
      role: 'analyst',
      schoolUrn: null,
      via: 'password',
    };
    const allSchoolsRun = await completedRun(app, db, analyst, { allSchools: true });
    // The headteacher's school: the middle one of those the all-schools run grouped.
    const grouped = (
      await db.query<{ urn: number }>(
        'select distinct urn from comparison_groups where run_id = $1 order by urn',
        [allSchoolsRun],
      )
    ).rows;
    const urn = grouped[grouped.length >> 1].urn;
    const analystUrn = grouped[grouped.length >> 2].urn;
    await db.query('update users set school_urn = $2 where id = $1', [users.headteacher, urn]);
    const headteacherRun = await completedRun(
      app,
      db,
      { ...analyst, userId: users.headteacher, role: 'headteacher', schoolUrn: urn },
      { urn },
    );
    return {
      hampshire,
      analyst: { id: users.analyst, email: 'analyst@hampshire.bench.invalid' },
      headteacher: { id: users.headteacher, email: 'headteacher@hampshire.bench.invalid', urn },
      allSchoolsRun,
      headteacherRun,
      analystUrn,
    };
  } finally {
    await app.close();
  }
}

async function signIn(url: string, email: string): Promise<string> {
  const data = await post(
    url,
    '',
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: PASSWORD },
  );
  return data.login.accessToken as string;
}

// ---- report --------------------------------------------------------------------------------

const f1 = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function row(label: string, m: Measured): string {
  return (
    `    ${label.padEnd(13)}${f1(m.p50).padStart(8)}${f1(m.p95).padStart(8)}${f1(m.p99).padStart(8)}` +
    `${f1(m.rps).padStart(9)}${f1(m.cpuPerRequest, 2).padStart(9)}` +
    `${f1(m.postgresCpuPerRequest, 2).padStart(8)}${String(m.failed).padStart(8)}`
  );
}

const loadAverage = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} CPUs`;

export const benchmark: Benchmark = {
  description:
    'SchoolBench GraphQL against PostGraphile 5 on the same data and row-level security: nested headteacher and analyst queries and the analyst list query at concurrency 1, 10 and 50',
  async run(args) {
    if (args[0] === '--postgraphile') {
      const port = await startPostGraphile(process.env.DATABASE_URL!, SECRET);
      process.stdout.write(`PORT ${port}\n`);
      return new Promise(() => undefined); // serve until killed
    }
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    // `--keep` leaves the database (and what was seeded) for `--reuse <name>`: for working on
    // the queries without repeating the setup.
    const reuse = args[0] === '--reuse' ? args[1] : undefined;
    const keep = args.includes('--keep');
    const name = reuse ?? `sbbench_${Date.now().toString(36)}`;
    const seededFile = join(tmpdir(), `${name}.json`);
    const prefix = `${name}:queue`;
    const out: string[] = [];
    const servers: Server[] = [];
    await ensureRoles(adminUrl);
    if (!reuse) await createDatabase(adminUrl, name);
    const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
    superuser.on('error', () => undefined);
    try {
      if (!reuse) await runMigrations(withDatabase(adminUrl, name, OWNER_ROLE));
      await superuser.connect();
      const setupStart = performance.now();
      const env = {
        ...process.env,
        NODE_ENV: 'production',
        GRAPHILE_ENV: 'production',
        DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
        DATABASE_OWNER_URL: withDatabase(adminUrl, name, OWNER_ROLE),
        REDIS_PREFIX: prefix,
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'silent',
        PORT: '0',
        HOST: '127.0.0.1',
        // The bench measures the query path, not the per-tenant request limits.
        TENANT_REQUESTS_PER_MINUTE: '100000000',
        LOGIN_ATTEMPTS_PER_MINUTE: '1000',
        COMPARISON_RECOMPUTE_ON_NEW_DATA: 'false',
      };
      Object.assign(process.env, env);
      let seeded: Seeded;
      if (reuse) {
        seeded = JSON.parse(readFileSync(seededFile, 'utf8')) as Seeded;
      } else {
        seeded = await seed(superuser, prefix);
        await superuser.query(PEER_FUNCTIONS);
        await superuser.query('analyze');
        if (keep) writeFileSync(seededFile, JSON.stringify(seeded));
      }
      const setupMs = performance.now() - setupStart;

      const main = join(__dirname, 'main.js');
      const api = join(__dirname, '..', '..', 'apps', 'api', 'src', 'main.js');
      const sb = await startServer('SchoolBench', [api], env, /listening: GraphQL at \S+:(\d+)/);
      servers.push(sb);
      const pg = await startServer(
        'PostGraphile',
        [main, 'graphql', '--postgraphile'],
        env,
        /PORT (\d+)/,
      );
      servers.push(pg);

      const headteacher = await signIn(sb.url, seeded.headteacher.email);
      const analyst = await signIn(sb.url, seeded.analyst.email);
      const tenant = seeded.hampshire;
      const workloads: Workload[] = [
        {
          name: `nested headteacher: comparisonRun { groups(urn) { members {…featureShares} } benchmarks(urn) } (one-school run, ${MEASURES.length} measures)`,
          nested: true,
          sb: {
            token: headteacher,
            query: SB_NESTED,
            variables: { id: seeded.headteacherRun, urn: seeded.headteacher.urn },
          },
          pg: {
            token: headteacher,
            query: PG_NESTED,
            variables: { tenant, id: seeded.headteacherRun, urn: seeded.headteacher.urn },
          },
        },
        {
          name: `nested analyst: the same over the all-schools run (${MEASURES.length} measures), one school`,
          nested: true,
          sb: {
            token: analyst,
            query: SB_NESTED,
            variables: { id: seeded.allSchoolsRun, urn: seeded.analystUrn },
          },
          pg: {
            token: analyst,
            query: PG_NESTED,
            variables: { tenant, id: seeded.allSchoolsRun, urn: seeded.analystUrn },
          },
        },
        {
          name: `analyst list: schools(first: 50) { observations(${LIST_MEASURES.length} measures, ${PERIODS.length} periods) }`,
          nested: false,
          sb: {
            token: analyst,
            query: SB_LIST,
            variables: { measures: LIST_MEASURES, periods: PERIODS },
          },
          pg: {
            token: analyst,
            query: PG_LIST,
            variables: { tenant, measures: LIST_MEASURES, periods: PERIODS.map(Number) },
          },
        },
      ];

      // The same rows from both, or the comparison means nothing.
      const checks: string[] = [];
      for (const w of workloads) {
        const a = await post(sb.url, w.sb.token, w.sb.query, w.sb.variables);
        const b = await post(pg.url, w.pg.token, w.pg.query, w.pg.variables);
        const [x, y] = w.nested ? nestedRows(a, b) : listRows(a, b);
        if (!isDeepStrictEqual(x, y)) {
          throw new Error(
            `${w.name}: the servers disagree\nSchoolBench: ${JSON.stringify(x).slice(0, 2000)}\nPostGraphile: ${JSON.stringify(y).slice(0, 2000)}`,
          );
        }
        const size = w.nested
          ? `${(x as Json).members.length} group members, ${(x as Json).benchmarks.length} benchmarks`
          : `${(x as Json[]).length} schools, ${(x as Json[]).reduce((n, s) => n + s.observations.length, 0)} observations`;
        checks.push(`  same rows from both: ${size}`);
      }

      out.push(
        'GraphQL: SchoolBench (NestJS + Apollo, its own SQL under RLS) against PostGraphile 5.1.5 (Amber preset)',
        `both as ${APP_ROLE} on one throwaway database (national census + 3 years of KS2 as the public reference data,`,
        `Hampshire's register; two completed comparison runs), app.tenant_id set per request from a verified HS256 token.`,
        `Each server in its own process, first warmed with every workload for ${WARMUP_START_SECONDS} s; autocannon in this one; ${SECONDS} s per measurement after ${WARMUP_SECONDS} s warm-up,`,
        'SchoolBench and PostGraphile interleaved (the order alternates); latencies in ms; CPU = server process user+sys per request;',
        'PG = all PostgreSQL processes on the machine, user+sys per request.',
        `setup (not timed): ${(setupMs / 1000).toFixed(1)} s`,
        `at start: ${loadAverage()}`,
      );
      for (const w of workloads) {
        for (const [server, request] of [
          [sb, w.sb],
          [pg, w.pg],
        ] as const) {
          await load(server, request, 10, WARMUP_START_SECONDS);
        }
      }
      const results = new Map<string, { sb: Measured; pg: Measured }>();
      let flip = false;
      for (const [i, w] of workloads.entries()) {
        out.push('', `${w.name}`, checks[i]);
        out.push(
          `  concurrency  server          p50     p95     p99      rps   CPU ms   PG ms  failed`,
        );
        for (const c of CONCURRENCY) {
          const pair = [
            [sb, w.sb],
            [pg, w.pg],
          ] as const;
          const order = flip ? [pair[1], pair[0]] : [pair[0], pair[1]];
          flip = !flip;
          const measured = new Map<string, Measured>();
          for (const [server, request] of order) {
            await load(server, request, c, WARMUP_SECONDS);
            measured.set(server.name, await load(server, request, c, SECONDS));
          }
          const r = { sb: measured.get(sb.name)!, pg: measured.get(pg.name)! };
          results.set(`${i}|${c}`, r);
          out.push(`  ${String(c).padStart(4)}`);
          out.push(row('SchoolBench', r.sb), row('PostGraphile', r.pg));
          process.stderr.write(`${w.name.slice(0, 30)}… c=${c} done\n`);
        }
      }
      const nested = results.get('0|10')!;
      const list = results.get('2|10')!;
      const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
      out.push(
        '',
        `at end: ${loadAverage()}`,
        '',
        `goal: nested headteacher p95 ≤ ${GOALS.nestedP95} ms at concurrency 10 ......... ${verdict(nested.sb.p95 <= GOALS.nestedP95)} (${f1(nested.sb.p95)} ms)`,
        `goal: nested headteacher rps ≥ PostGraphile's at concurrency 10 ... ${verdict(nested.sb.rps >= nested.pg.rps)} (${f1(nested.sb.rps)} against ${f1(nested.pg.rps)})`,
        `goal: analyst list p95 ≤ ${GOALS.listP95} ms at concurrency 10 .............. ${verdict(list.sb.p95 <= GOALS.listP95)} (${f1(list.sb.p95)} ms)`,
        `goal: analyst list rps ≥ PostGraphile's at concurrency 10 ........ ${verdict(list.sb.rps >= list.pg.rps)} (${f1(list.sb.rps)} against ${f1(list.pg.rps)})`,
        `goal: Node CPU per nested request ≤ ${GOALS.cpuMs} ms (concurrency 10) ....... ${verdict(nested.sb.cpuPerRequest <= GOALS.cpuMs)} (${f1(nested.sb.cpuPerRequest, 2)} ms; PostGraphile ${f1(nested.pg.cpuPerRequest, 2)} ms)`,
      );
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await Promise.all(
        servers.map((s) =>
          s.child.exitCode === null
            ? new Promise((r) => s.child.once('exit', r))
            : Promise.resolve(),
        ),
      );
      await superuser.end().catch(() => undefined);
      if (!keep && !reuse) {
        await dropDatabase(adminUrl, name);
        await deleteRedisKeys(prefix);
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

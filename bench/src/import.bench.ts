import { spawn } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';

import { AppConfigModule } from '@schoolbench/config';
import { importFileBatches } from '@schoolbench/data-format-core';
import {
  APP_ROLE,
  createDatabase,
  DatabaseModule,
  dropDatabase,
  ensureRoles,
  listDatabases,
  OWNER_ROLE,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';
import { DatasetImports } from '@schoolbench/datasets';
import { LaRegister } from '@schoolbench/la-register';
import { TenancyModule } from '@schoolbench/tenancy';

import { sharedDataFile, type Benchmark } from './benchmark';

const FILES = [
  'dfe/national/2018-2019_england_census.csv',
  'dfe/national/2015-2016_england_ks2_extract.csv',
  'dfe/national/2016-2017_england_ks2_extract.csv',
  'dfe/national/2017-2018_england_ks2_extract.csv',
];
const GOAL_RATIO = 0.5;
const COLUMNS =
  'tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, suppression, numerator, denominator, source_code';

@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule], providers: [DatasetImports] })
class ImportBenchModule {}

interface ChildResult {
  seconds: number;
  observations: number;
  maxRssMiB: number;
}

/** A child that has printed nothing for this long is stopped, with what it last said. */
const DEFAULT_CHILD_TIMEOUT_MINUTES = 10;
const DATABASE_PREFIX = 'sbbench_';

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Parsing and validation alone, no database: the floor under the product's import time. */
async function parseChild(files: string[]): Promise<void> {
  const register = LaRegister.builtIn();
  // As the product reads them (its 7xx codes for establishments outside any LA included).
  const isKnownLaCode = (code: string) => register.isKnown(code) || /^7\d\d$/.test(code.trim());
  const started = performance.now();
  let observations = 0;
  for (const path of files) {
    const fileStarted = performance.now();
    let inFile = 0;
    for await (const batch of importFileBatches({
      file: { name: basename(path), bytes: createReadStream(path) },
      isKnownLaCode,
    })) {
      for (const record of batch) if (record.kind === 'observation') inFile++;
    }
    observations += inFile;
    say(
      `FILE ${basename(path)}: ${inFile} observations parsed in ${((performance.now() - fileStarted) / 1000).toFixed(1)} s`,
    );
  }
  const result: ChildResult = {
    seconds: (performance.now() - started) / 1000,
    observations,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  say(`RESULT ${JSON.stringify(result)}`);
}

/** In a child process (so its peak RSS is its own): import files as the public tenant. */
async function child(files: string[]): Promise<void> {
  const app = await NestFactory.createApplicationContext(ImportBenchModule, { logger: false });
  const imports = app.get(DatasetImports);
  // Counts are read as the superuser: the owner role is bound by row-level security too.
  const admin = new Client({ connectionString: process.env.BENCH_SUPERUSER_URL });
  await admin.connect();
  const [{ id }] = (
    await admin.query<{ id: string }>("select id from tenants where kind = 'public'")
  ).rows;
  const started = performance.now();
  let observations = 0;
  for (const path of files) {
    const fileStarted = performance.now();
    const outcome = await imports.importInto(id, null, {
      file: { name: basename(path), open: () => createReadStream(path) },
    });
    if (outcome.status !== 'published') throw new Error(`${path} failed validation`);
    const [row] = (
      await admin.query<{ n: number }>(
        'select observation_count as n from datasets where id = $1',
        [outcome.datasetId],
      )
    ).rows;
    observations += row.n;
    say(
      `FILE ${basename(path)}: ${row.n} observations imported in ${((performance.now() - fileStarted) / 1000).toFixed(1)} s`,
    );
  }
  const result: ChildResult = {
    seconds: (performance.now() - started) / 1000,
    observations,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  say(`RESULT ${JSON.stringify(result)}`);
  await admin.end();
  await app.close();
}

/**
 * Runs `main.js import --child <mode> files…` and waits for its RESULT line. Its progress lines
 * are shown as they come (so a slow run is never silent), and a child that says nothing for
 * `timeoutMinutes` is killed with a message naming where it was: one earlier run sat for over
 * 15 minutes inside a blocking spawnSync with no output at all.
 */
function runChild(
  env: NodeJS.ProcessEnv,
  mode: 'import' | 'parse',
  files: string[],
  timeoutMinutes: number,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [join(__dirname, 'main.js'), 'import', '--child', mode, ...files],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let result: ChildResult | undefined;
    let lastLine = '(nothing yet)';
    let stderr = '';
    let buffered = '';
    const limitMs = timeoutMinutes * 60_000;
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(
          new Error(
            `The ${mode} child printed nothing for ${timeoutMinutes} min and was stopped. ` +
              `Last line: ${lastLine}. Look at pg_stat_activity for a long statement.`,
          ),
        );
      }, limitMs);
    };
    arm();
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        arm();
        if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as ChildResult;
        else if (line.trim()) {
          lastLine = line;
          say(`    ${line.replace(/^FILE /, '')}`);
        }
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`The ${mode} child failed (${signal ?? `exit ${code}`}):\n${stderr}`));
    });
  });
}

/**
 * Drops benchmark databases left by runs that were killed: named `sbbench_<base-36 time>`, over
 * an hour old and with nobody connected (a run of another benchmark or another person's may be
 * starting right now, between creating its database and connecting to it).
 */
async function dropLeftovers(adminUrl: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const inUse = new Set(
      (
        await admin.query<{ datname: string }>(
          'select distinct datname from pg_stat_activity where datname is not null',
        )
      ).rows.map((r) => r.datname),
    );
    const hourAgo = Date.now() - 3600_000;
    for (const name of await listDatabases(adminUrl, DATABASE_PREFIX)) {
      const created = parseInt(name.slice(DATABASE_PREFIX.length), 36);
      if (inUse.has(name) || !(created < hourAgo)) continue;
      await dropDatabase(adminUrl, name);
      say(`Dropped ${name}, left by an earlier run.`);
    }
  } finally {
    await admin.end();
  }
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<[T, number]> {
  say(`→ ${label}`);
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  say(`  done in ${seconds.toFixed(1)} s`);
  return [value, seconds];
}

/**
 * The census `copies` times over, with URNs shifted so each copy is a new set of schools (a file
 * never imported before, so it is really read and written).
 */
function shiftedCensus(dir: string, offsets: number[]): string {
  const text = readFileSync(sharedDataFile('dfe/national/2018-2019_england_census.csv'), 'utf8');
  const [header, ...rows] = text.split(/\r?\n/).filter(Boolean);
  // School rows start with their URN; the national summary rows at the end are kept once.
  const schools = rows.filter((r) => /^\d/.test(r));
  const summaries = rows.filter((r) => !/^\d/.test(r));
  const shifted = [
    ...offsets.flatMap((offset) =>
      schools.map((r) => r.replace(/^\d+/, (u) => String(Number(u) + offset))),
    ),
    ...summaries,
  ];
  const path = join(dir, `2018-2019_england_census_x${offsets.length}.csv`);
  writeFileSync(path, [header, ...shifted].join('\r\n') + '\r\n');
  return path;
}

async function parent(args: readonly string[]): Promise<void> {
  const at = args.indexOf('--timeout-minutes');
  const timeoutMinutes = at >= 0 ? Number(args[at + 1]) : DEFAULT_CHILD_TIMEOUT_MINUTES;
  if (!(timeoutMinutes > 0)) throw new Error('--timeout-minutes needs a positive number');
  const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${DATABASE_PREFIX}${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'sb-import-bench-'));
  // The database server reads and writes the COPY file itself.
  chmodSync(dir, 0o777);
  say(`Import benchmark; load average ${loadAverage()} (1, 5, 15 min) on ${process.platform}`);
  await dropLeftovers(adminUrl);
  await ensureRoles(adminUrl);
  await createDatabase(adminUrl, name);
  // Ctrl-C or a kill still drops the database (killed runs used to leave theirs behind).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: dropping ${name}`);
    void dropDatabase(adminUrl, name).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const owner = withDatabase(adminUrl, name, OWNER_ROLE);
  const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
  try {
    await runMigrations(owner);
    await superuser.connect();
    await superuser.query(`set statement_timeout = '${timeoutMinutes}min'`);
    await superuser.query(
      "insert into tenants (kind, name) values ('public', 'DfE published data')",
    );
    const env = {
      ...process.env,
      DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
      DATABASE_OWNER_URL: owner,
      BENCH_SUPERUSER_URL: withDatabase(adminUrl, name),
      LOG_LEVEL: 'silent',
    };
    const files = FILES.map((f) => sharedDataFile(f));

    const [parsed] = await timed('parse and validate only (no database)', () =>
      runChild(env, 'parse', files, timeoutMinutes),
    );
    const [product] = await timed('SchoolBench import as the app role under RLS', () =>
      runChild(env, 'import', files, timeoutMinutes),
    );

    // The peer: COPY of the same normalised rows into the same table (same indexes and keys), as a
    // second dataset version, from a CSV the server reads directly. It runs as the superuser:
    // PostgreSQL refuses COPY FROM under row-level security ("COPY FROM not supported with
    // row-level security"), so the product cannot use COPY and the peer skips the policy checks.
    const csv = join(dir, 'observations.csv');
    await superuser.query(
      `copy (select ${COLUMNS.replace('dataset_id', "'00000000-0000-0000-0000-000000000001'::uuid")} from observations) to '${csv}' with (format csv)`,
    );
    await superuser.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status)
       select id, '00000000-0000-0000-0000-000000000001', 'copy-peer', 1, 'copy', repeat('0', 64), 'published' from tenants where kind = 'public'`,
    );
    const [copied, copySeconds] = await timed('PostgreSQL COPY of the same rows', () =>
      superuser.query(`copy observations (${COLUMNS}) from '${csv}' with (format csv)`),
    );
    const copyRate = (copied.rowCount ?? 0) / copySeconds;
    await superuser.query(
      "delete from observations where dataset_id = '00000000-0000-0000-0000-000000000001'",
    );

    // What one INSERT … SELECT of the same rows costs as the app role under RLS, rolled back: the
    // most any SQL path of the product could hope for, and where the rest of its time goes.
    const [inserted] = await timed(
      'INSERT … SELECT of the same rows as the app role under RLS (rolled back)',
      async () => {
        await superuser.query('begin');
        try {
          await superuser.query(
            `create temp table peer_rows on commit drop as select * from observations`,
          );
          await superuser.query(`grant select on peer_rows to ${APP_ROLE}`);
          await superuser.query(`set local role ${APP_ROLE}`);
          await superuser.query(
            "select set_config('app.tenant_id', (select id::text from tenants where kind = 'public'), true)",
          );
          const started = performance.now();
          const result = await superuser.query(
            `insert into observations (${COLUMNS})
             select ${COLUMNS.replace('dataset_id', "'00000000-0000-0000-0000-000000000001'::uuid")} from peer_rows`,
          );
          return { rows: result.rowCount ?? 0, seconds: (performance.now() - started) / 1000 };
        } finally {
          await superuser.query('rollback');
        }
      },
    );

    // Memory as input grows: 1× and 3× the census, each in a fresh process.
    const [oneX] = await timed('census 1× for peak RSS', () =>
      runChild(env, 'import', [shiftedCensus(dir, [200000])], timeoutMinutes),
    );
    const [threeX] = await timed('census 3× for peak RSS', () =>
      runChild(env, 'import', [shiftedCensus(dir, [400000, 600000, 800000])], timeoutMinutes),
    );

    const rate = product.observations / product.seconds;
    const parseRate = parsed.observations / parsed.seconds;
    const insertRate = inserted.rows / inserted.seconds;
    const ratio = rate / copyRate;
    const line = (label: string, value: string) => say(`  ${label.padEnd(60)}${value}`);
    say(
      `\nImport: national census 2018/19 + national KS2 extracts 2015/16–2017/18 (${product.observations} observations)\n`,
    );
    line(
      'SchoolBench import (parse, validate, write; app role, RLS)',
      `${Math.round(rate)} obs/s  (${product.seconds.toFixed(1)} s)`,
    );
    line(
      'PostgreSQL COPY, same rows (superuser: no RLS)',
      `${Math.round(copyRate)} obs/s  (${copySeconds.toFixed(1)} s)`,
    );
    line('ratio (goal ≥ 0.5)', `${ratio.toFixed(2)}  ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
    say('  where the time goes:');
    line(
      '  parse and validate alone (no database)',
      `${Math.round(parseRate)} obs/s  (${parsed.seconds.toFixed(1)} s)`,
    );
    line(
      '  one INSERT … SELECT as the app role under RLS',
      `${Math.round(insertRate)} obs/s  (${inserted.seconds.toFixed(1)} s)`,
    );
    line('peak RSS, the four files', `${product.maxRssMiB.toFixed(0)} MiB`);
    line(
      `peak RSS, census 1× (${oneX.observations} observations)`,
      `${oneX.maxRssMiB.toFixed(0)} MiB`,
    );
    line(
      `peak RSS, census 3× (${threeX.observations} observations)`,
      `${threeX.maxRssMiB.toFixed(0)} MiB  (${(threeX.maxRssMiB / oneX.maxRssMiB).toFixed(2)}× the 1× figure)`,
    );
    line('load average at the end (1, 5, 15 min)', loadAverage());
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await superuser.end().catch(() => undefined);
    await dropDatabase(adminUrl, name);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  description: 'import of the national census and KS2 extracts, next to PostgreSQL COPY',
  async run(args) {
    if (args[0] !== '--child') return parent(args);
    const [mode, ...files] = args.slice(1);
    // A child exits when done, whatever handles are left open, so the parent never waits forever.
    await (mode === 'parse' ? parseChild(files) : child(files)).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  },
};

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';

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
import { DatasetImports } from '@schoolbench/datasets';
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
  'tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, suppression, numerator, denominator';

@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule], providers: [DatasetImports] })
class ImportBenchModule {}

interface ChildResult {
  seconds: number;
  observations: number;
  maxRssMiB: number;
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
  }
  const result: ChildResult = {
    seconds: (performance.now() - started) / 1000,
    observations,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  await admin.end();
  await app.close();
}

function runChild(env: NodeJS.ProcessEnv, files: string[]): ChildResult {
  const res = spawnSync(
    process.execPath,
    [join(__dirname, 'main.js'), 'import', '--child', ...files],
    {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = res.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`Import child failed:\n${res.stderr}`);
  return JSON.parse(line.slice(7)) as ChildResult;
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

async function parent(): Promise<void> {
  const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `sbbench_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'sb-import-bench-'));
  // The database server reads and writes the COPY file itself.
  chmodSync(dir, 0o777);
  await ensureRoles(adminUrl);
  await createDatabase(adminUrl, name);
  const owner = withDatabase(adminUrl, name, OWNER_ROLE);
  const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
  try {
    await runMigrations(owner);
    await superuser.connect();
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

    const product = runChild(env, files);

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
    const copyStarted = performance.now();
    const copied = await superuser.query(
      `copy observations (${COLUMNS}) from '${csv}' with (format csv)`,
    );
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const copyRate = (copied.rowCount ?? 0) / copySeconds;

    // Memory as input grows: 1× and 3× the census, each in a fresh process.
    await superuser.query(
      "delete from observations where dataset_id = '00000000-0000-0000-0000-000000000001'",
    );
    const oneX = runChild(env, [shiftedCensus(dir, [200000])]);
    const threeX = runChild(env, [shiftedCensus(dir, [400000, 600000, 800000])]);

    const rate = product.observations / product.seconds;
    const ratio = rate / copyRate;
    const line = (label: string, value: string) =>
      process.stdout.write(`  ${label.padEnd(52)}${value}\n`);
    process.stdout.write(
      `Import: national census 2018/19 + national KS2 extracts 2015/16–2017/18 (${product.observations} observations)\n\n`,
    );
    line(
      'SchoolBench import (parse, validate, write)',
      `${Math.round(rate)} obs/s  (${product.seconds.toFixed(1)} s)`,
    );
    line(
      'PostgreSQL COPY, same rows (superuser: no RLS)',
      `${Math.round(copyRate)} obs/s  (${copySeconds.toFixed(1)} s)`,
    );
    line('ratio (goal ≥ 0.5)', `${ratio.toFixed(2)}  ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
    line('peak RSS, the four files', `${product.maxRssMiB.toFixed(0)} MiB`);
    line(
      `peak RSS, census 1× (${oneX.observations} observations)`,
      `${oneX.maxRssMiB.toFixed(0)} MiB`,
    );
    line(
      `peak RSS, census 3× (${threeX.observations} observations)`,
      `${threeX.maxRssMiB.toFixed(0)} MiB  (${(threeX.maxRssMiB / oneX.maxRssMiB).toFixed(2)}× the 1× figure)`,
    );
  } finally {
    await superuser.end().catch(() => undefined);
    await dropDatabase(adminUrl, name);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  description: 'import of the national census and KS2 extracts, next to PostgreSQL COPY',
  async run(args) {
    if (args[0] !== '--child') return parent();
    // A child exits when done, whatever handles are left open, so the parent never waits forever.
    await child(args.slice(1)).then(
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

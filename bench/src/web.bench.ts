import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import * as sass from 'sass';

import {
  APP_ROLE,
  createDatabase,
  dropDatabase,
  ensureRoles,
  OWNER_ROLE,
  runMigrations,
  withDatabase,
} from '@schoolbench/database';

// The services under measurement, as deployed.
/* eslint-disable @nx/enforce-module-boundaries */
import { createApiApp } from '../../apps/api/src/api-app';
import { createWebApp, govukFrontendDir } from '../../apps/web/src/web-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
/* eslint-enable @nx/enforce-module-boundaries */
import type { Benchmark } from './benchmark';

const REQUESTS = 200;
const CONCURRENCY = 10;
const WARMUP = 20;
const PAGE_WEIGHT_LIMIT = 250 * 1024;
const OWN_SCHOOLS = 60;
const ENGLAND_SCHOOLS = 600;
const PERIODS = ['201617', '201718', '201819'];
const OUTCOMES = [
  'ks2_rwm_expected_pct',
  'ks2_rwm_higher_pct',
  'ks2_reading_progress',
  'ks2_writing_progress',
  'ks2_maths_progress',
];
const PASSWORD = 'bench password of some length';
const CONTEXT = ['fsm_ever_pct', 'eal_pct', 'sen_support_pct', 'ehc_plan_pct', 'pupils_on_roll'];

/** A deterministic number in [0, 1) per key. */
function unit(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100_000) / 100_000;
}

/**
 * Setup, not timed, as the superuser: Hampshire with 60 primary schools and a headteacher, and
 * 600 of England's schools as public reference data, each with census context and three years of
 * KS2 results in the shapes DfE publishes (the demo's data, at a size that seeds in seconds).
 */
async function seed(db: Client): Promise<{ email: string; urn: number }> {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
  await db.query(
    "insert into tenants (kind, name) values ('platform', 'platform'), ('public', 'DfE published data')",
  );
  const [{ id: publicId }] = (
    await db.query<{ id: string }>("select id from tenants where kind = 'public'")
  ).rows;
  const [{ id: hampshire }] = (
    await db.query<{ id: string }>(
      "insert into tenants (kind, la_code, name) values ('authority', '850', 'Hampshire') returning id",
    )
  ).rows;
  const email = 'headteacher@hampshire.bench.invalid';
  const urn = 116_001;
  for (const [tenant, first, n, la] of [
    [hampshire, urn, OWN_SCHOOLS, '850'],
    [publicId, 200_001, ENGLAND_SCHOOLS, null],
  ] as const) {
    await db.query(
      `insert into schools (tenant_id, urn, name, phase, la_code)
       select $1, $2 + i, 'Primary school ' || ($2 + i), 'Primary', $4 from generate_series(0, $3 - 1) i`,
      [tenant, first, n, la],
    );
    const rows: [number, string, number, string, number][] = [];
    for (let i = 0; i < n; i++) {
      const u = first + i;
      const r = (w: string) => unit(`${u}:${w}`);
      rows.push(
        [u, 'fsm_ever_pct', 201819, 'all', Math.round(400 + 5000 * r('fsm')) / 100],
        [u, 'eal_pct', 201819, 'all', Math.round(100 + 4000 * r('eal')) / 100],
        [u, 'sen_support_pct', 201819, 'all', Math.round(600 + 1400 * r('sen')) / 100],
        [u, 'ehc_plan_pct', 201819, 'all', Math.round(20 + 400 * r('ehc')) / 100],
        [u, 'pupils_on_roll', 201819, 'all', Math.round(60 + 600 * r('nor'))],
      );
      PERIODS.forEach((p, y) => {
        const rwm = Math.round(45 + 45 * r(`rwm${y}`));
        rows.push(
          [u, 'ks2_rwm_expected_pct', Number(p), 'all', rwm],
          [
            u,
            'ks2_rwm_expected_pct',
            Number(p),
            'disadvantaged',
            rwm - Math.round(20 * r(`g${y}`)),
          ],
          [u, 'ks2_rwm_expected_pct', Number(p), 'not_disadvantaged', Math.min(100, rwm + 4)],
          [u, 'ks2_rwm_higher_pct', Number(p), 'all', Math.round(rwm / 5)],
          [u, 'ks2_reading_progress', Number(p), 'all', Math.round(-40 + 80 * r(`rd${y}`)) / 10],
          [u, 'ks2_writing_progress', Number(p), 'all', Math.round(-40 + 80 * r(`wr${y}`)) / 10],
          [u, 'ks2_maths_progress', Number(p), 'all', Math.round(-40 + 80 * r(`ma${y}`)) / 10],
        );
      });
    }
    for (const series of ['census', 'ks2']) {
      const [{ id }] = (
        await db.query<{ id: string }>(
          `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at, periods)
           values ($1, gen_random_uuid(), $2::text, 1, $2::text || '.csv', md5(random()::text) || md5(random()::text), 'fixture', 'published', true, now(), $3)
           returning id`,
          [tenant, series, series === 'census' ? ['201819'] : PERIODS],
        )
      ).rows;
      const part = rows.filter((x) => CONTEXT.includes(x[1]) === (series === 'census'));
      await db.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value)
         select $1, $2, u.urn, u.measure, u.period, 'Academic year', u.breakdown, u.value
         from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::float8[]) as u(urn, measure, period, breakdown, value)`,
        [
          tenant,
          id,
          part.map((x) => x[0]),
          part.map((x) => x[1]),
          part.map((x) => x[2]),
          part.map((x) => x[3]),
          part.map((x) => x[4]),
        ],
      );
    }
  }
  // The headteacher's school exists now.
  const [{ id: userId }] = (
    await db.query<{ id: string }>(
      `insert into users (tenant_id, email, role, school_urn, password_hash) values ($1, $2, 'headteacher', $3, $4) returning id`,
      [hampshire, email, urn, hash],
    )
  ).rows;
  await db.query('insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)', [
    email,
    hampshire,
    userId,
  ]);
  await db.query('analyze');
  return { email, urn };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** `REQUESTS` requests, `CONCURRENCY` at a time; each request's time from send to last byte. */
async function measure(send: () => Promise<Response>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await (await send()).arrayBuffer();
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const started = performance.now();
        const res = await send();
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status} from ${res.url}`);
        times.push(performance.now() - started);
      }
    }),
  );
  return times;
}

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const ms = (v: number): string => `${v.toFixed(1)} ms`.padStart(11);

export const benchmark: Benchmark = {
  description:
    'web pages (school benchmarks, similar schools): p50/p95 over 200 requests at concurrency 10, next to the GraphQL query returning the same data, and page weight',
  async run() {
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `sbbench_web_${Date.now().toString(36)}`;
    await ensureRoles(adminUrl);
    await createDatabase(adminUrl, name);
    const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
    superuser.on('error', () => undefined);
    let api: INestApplication | undefined;
    let web: INestApplication | undefined;
    let worker: INestApplicationContext | undefined;
    const out: string[] = [];
    try {
      await runMigrations(withDatabase(adminUrl, name, OWNER_ROLE));
      await superuser.connect();
      const { email, urn } = await seed(superuser);
      Object.assign(process.env, {
        DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
        DATABASE_OWNER_URL: withDatabase(adminUrl, name, OWNER_ROLE),
        REDIS_PREFIX: name,
        LOG_LEVEL: 'silent',
        LOGIN_ATTEMPTS_PER_MINUTE: '1000',
        TENANT_REQUESTS_PER_MINUTE: '1000000',
        // Its own database's tokens: a secret of this run unless one is given.
        JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      });
      const assets = mkdtempSync(join(tmpdir(), 'schoolbench-bench-web-'));
      writeFileSync(
        join(assets, 'application.css'),
        sass.compile(join(__dirname, '../../apps/web/src/assets/application.scss'), {
          loadPaths: [govukFrontendDir()],
          style: 'compressed',
          quietDeps: true,
        }).css,
      );
      api = await createApiApp();
      await api.listen(0, '127.0.0.1');
      web = await createWebApp({ assetsDir: assets });
      await web.listen(0, '127.0.0.1');
      worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await worker.init();
      const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
      const webUrl = `http://127.0.0.1:${(web.getHttpServer().address() as AddressInfo).port}`;

      const gql = async (token: string | null, query: string, variables: object = {}) => {
        const res = await fetch(`${apiUrl}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data!;
      };
      const token = (
        await gql(
          null,
          'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
          {
            e: email,
            p: PASSWORD,
          },
        )
      ).login.accessToken as string;
      const run = (
        await gql(
          token,
          `mutation($i: ComparisonRequestInput!) { requestComparison(input: $i) { id } }`,
          { i: { target: { urn }, phase: 'primary', period: '201819', outcomeMeasures: OUTCOMES } },
        )
      ).requestComparison.id as string;
      for (let status = ''; status !== 'COMPLETED';) {
        status = (
          await gql(token, `query($id: ID!) { comparisonRun(id: $id) { status error } }`, {
            id: run,
          })
        ).comparisonRun.status as string;
        if (status === 'FAILED') throw new Error('The comparison failed');
        await new Promise((r) => setTimeout(r, 200));
      }

      // Sign in to the web as a browser does: the form's CSRF token, then the session cookie.
      const form = await fetch(`${webUrl}/sign-in`);
      const pre = cookiesOf(form);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
      const signedIn = await fetch(`${webUrl}/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
        body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }).toString(),
      });
      const session = cookiesOf(signedIn);
      if (!session.includes('sb_session'))
        throw new Error(`Web sign-in failed: ${signedIn.status}`);

      const page = (path: string) => () =>
        fetch(`${webUrl}${path}`, { headers: { cookie: session } });
      const query = (q: string) => () =>
        fetch(`${apiUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: q, variables: { urn } }),
        });
      const BENCHMARKS_QUERY = `query($urn: Int!) { school(urn: $urn) { urn name benchmarks {
        runId measure period value suppression groupN median lowerQuartile upperQuartile
        percentileRank rank rankOf gapToMedian trendSlope trendPeriods disadvantagedGap
        groupDisadvantagedGap expectedValue residual suppressedCount missingCount } } }`;
      const SIMILAR_QUERY = `query($urn: Int!) { school(urn: $urn) { urn name similarSchools {
        rank urn name laCode source distance featureShares { feature label share } runId } } }`;

      const cases = [
        {
          name: 'benchmarks page',
          web: page(`/schools/${urn}/benchmarks`),
          gql: query(BENCHMARKS_QUERY),
        },
        {
          name: 'similar-schools page',
          web: page(`/schools/${urn}/similar`),
          gql: query(SIMILAR_QUERY),
        },
      ];
      const css = (await (await fetch(`${webUrl}/assets/app/application.css`)).arrayBuffer())
        .byteLength;
      const js = (await (await fetch(`${webUrl}/assets/app/web.js`)).arrayBuffer()).byteLength;
      out.push(
        `Web pages against GraphQL, same run, same data: Hampshire headteacher's school ${urn}, group of 20 from ${OWN_SCHOOLS} own + ${ENGLAND_SCHOOLS} England primary schools, 5 KS2 measures × 3 years`,
        `${REQUESTS} requests each at concurrency ${CONCURRENCY} after ${WARMUP} warm-up requests, timed at the client on 127.0.0.1 (send to last byte); load average ${loadAverage()} on ${cpus().length} CPUs (other work was running on the machine)`,
        '',
        `${'what'.padEnd(24)}${'p50'.padStart(9)}${'p95'.padStart(9)}  ${'GraphQL p50'.padStart(11)}${'p95'.padStart(9)}  p95 ratio   HTML + CSS + JS`,
      );
      for (const c of cases) {
        const html = (await (await c.web()).arrayBuffer()).byteLength;
        const webTimes = [...(await measure(c.web))];
        const gqlTimes = [...(await measure(c.gql))];
        const p95 = percentile(webTimes, 0.95);
        const ratio = p95 / percentile(gqlTimes, 0.95);
        const weight = html + css + js;
        out.push(
          `${c.name.padEnd(24)}${ms(percentile(webTimes, 0.5))}${ms(p95)}  ${ms(percentile(gqlTimes, 0.5)).padStart(11)}${ms(percentile(gqlTimes, 0.95))}  ${ratio.toFixed(2).padStart(9)}   ${(weight / 1024).toFixed(0)} KB (${(html / 1024).toFixed(0)} + ${(css / 1024).toFixed(0)} + ${(js / 1024).toFixed(0)})`,
          `${''.padEnd(24)}goal: p95 ≤ 100 ms ${p95 <= 100 ? 'met' : 'NOT met'}; ≤ 1.5 × GraphQL ${ratio <= 1.5 ? 'met' : 'NOT met'}; ≤ 250 KB ${weight <= PAGE_WEIGHT_LIMIT ? 'met' : 'NOT met'}; load average after: ${loadAverage()}`,
        );
      }
    } finally {
      await worker?.close().catch(() => undefined);
      await web?.close().catch(() => undefined);
      await api?.close().catch(() => undefined);
      await superuser.end().catch(() => undefined);
      await dropDatabase(adminUrl, name).catch(() => undefined);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

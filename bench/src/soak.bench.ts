import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, openSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as argon2 from 'argon2';
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
import { deleteRedisKeys } from '@schoolbench/testing';

import { sharedDataFile, type Benchmark } from './benchmark';

/**
 * SPEC §12 "Load": concurrent GraphQL (and REST upload) clients of three authorities and every
 * role against the API and a worker as deployed (child processes), each response checked against
 * what its principal may see. Options: `--seconds N` (default 60), `--clients-per-principal N`
 * (default 1).
 */

const DEFAULT_SECONDS = 60;
const PASSWORD = 'soak-password-not-secret';
const KS4 = ['ks4_attainment8', 'ks4_progress8'];
const ROLES = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
type AuthorityRole = (typeof ROLES)[number];

interface AuthoritySpec {
  laCode: string;
  name: string;
  /** DfE files as published; national files keep only this authority's rows on import. */
  files: string[];
  /** Uploaded again and again during the soak (a no-op), and once corrected (a new version). */
  upload: string;
}

const AUTHORITIES: readonly AuthoritySpec[] = [
  {
    laCode: '850',
    name: 'Hampshire',
    files: [
      'dfe/national/2018-2019_england_census.csv',
      'dfe/la-850-hampshire/2016-2017_850_ks4final.csv',
      'dfe/la-850-hampshire/2017-2018_850_ks4final.csv',
      'dfe/la-850-hampshire/2018-2019_850_ks2final.csv',
    ],
    upload: 'dfe/la-850-hampshire/2018-2019_850_ks2final.csv',
  },
  {
    laCode: '815',
    name: 'North Yorkshire',
    files: [
      'dfe/la-815-north-yorkshire/815_2019_census.csv',
      'dfe/la-815-north-yorkshire/815_2018_ks4final.csv',
      'dfe/la-815-north-yorkshire/815_2019_ks4provisional.csv',
    ],
    upload: 'dfe/la-815-north-yorkshire/815_2019_ks4provisional.csv',
  },
  {
    laCode: '936',
    name: 'Surrey',
    files: [
      'dfe/national/2018-2019_england_census.csv',
      'dfe/national/2018-2019_england_ks4provisional.csv',
      'dfe/national/2018-2019_england_abs.csv',
    ],
    upload: 'dfe/national/2018-2019_england_abs.csv',
  },
];
const REFERENCE_FILES = [
  'dfe/national/2018-2019_england_census.csv',
  'dfe/national/2018-2019_england_ks4final_extract.csv',
];

@Module({ imports: [AppConfigModule, TenancyModule, DatabaseModule], providers: [DatasetImports] })
class SoakSetupModule {}

interface Tenant {
  id: string;
  laCode: string | null;
  name: string;
  schools: Set<number>;
  /** A secondary school with KS4 results: the headteacher's and governor's. */
  school: number;
  users: Set<string>;
  upload: string;
}

interface Principal {
  name: string;
  role: AuthorityRole | 'operator';
  tenant: Tenant;
  email: string;
  token: string;
}

interface Response {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] } & Record<string, unknown>;
}

/** A protocol between two authorities, and when it may have been active (sign sent → revoked). */
interface Window {
  parties: [string, string];
  from: number;
  to: number;
}

class Soak {
  readonly latencies = new Map<string, number[]>();
  readonly errors: string[] = [];
  readonly leaks: string[] = [];
  errorCount = 0;
  leakCount = 0;
  /** Tenants sharing named data with each other for the whole soak (tenant id pairs). */
  readonly standing: [string, string][] = [];
  readonly windows: Window[] = [];
  private readonly datasetTenant = new Map<string, string>();
  private readonly runTenant = new Map<string, string>();

  constructor(
    readonly base: string,
    readonly tenants: Tenant[],
    readonly reference: Tenant,
    private readonly db: Client,
  ) {}

  async request(
    op: string,
    p: Principal,
    init: { query?: string; variables?: Record<string, unknown>; form?: FormData },
  ): Promise<{ res: Response; start: number; end: number } | undefined> {
    const start = performance.now();
    let res: Response;
    try {
      const http = await fetch(`${this.base}${init.form ? '/api/datasets' : '/graphql'}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${p.token}`,
          ...(init.form ? {} : { 'content-type': 'application/json' }),
        },
        body: init.form ?? JSON.stringify({ query: init.query, variables: init.variables ?? {} }),
        signal: AbortSignal.timeout(60_000),
      });
      res = { status: http.status, body: (await http.json()) as Response['body'] };
    } catch (error) {
      this.error(op, p, `no answer: ${String(error)}`);
      return undefined;
    }
    const end = performance.now();
    const list = this.latencies.get(op) ?? [];
    list.push(end - start);
    this.latencies.set(op, list);
    const accepted = init.form ? [200, 201, 202] : [200];
    if (!accepted.includes(res.status) || res.body.errors?.length) {
      this.error(
        op,
        p,
        `${res.status} ${JSON.stringify(res.body.errors ?? res.body).slice(0, 300)}`,
      );
      return undefined;
    }
    return { res, start, end };
  }

  error(op: string, p: Principal, detail: string): void {
    this.errorCount++;
    if (this.errors.length < 10) this.errors.push(`${op} as ${p.name}: ${detail}`);
  }

  leak(op: string, p: Principal, detail: string): void {
    this.leakCount++;
    if (this.leaks.length < 10) this.leaks.push(`${op} as ${p.name}: ${detail}`);
  }

  /** Authorities whose named data `tenantId` may have been granted at some time in [start, end]. */
  partners(tenantId: string, start: number, end: number): Set<string> {
    const out = new Set<string>();
    for (const [a, b] of this.standing) {
      if (a === tenantId) out.add(b);
      if (b === tenantId) out.add(a);
    }
    for (const w of this.windows) {
      if (w.from > end || w.to < start) continue;
      if (w.parties[0] === tenantId) out.add(w.parties[1]);
      if (w.parties[1] === tenantId) out.add(w.parties[0]);
    }
    return out;
  }

  partnerSchools(tenantId: string, start: number, end: number): Set<number> {
    const ids = this.partners(tenantId, start, end);
    return new Set(this.tenants.filter((t) => ids.has(t.id)).flatMap((t) => [...t.schools]));
  }

  /** Whose dataset an observation came from (asked once per dataset, as the superuser). */
  async ownerOfDataset(id: string): Promise<string | undefined> {
    if (!this.datasetTenant.has(id)) {
      const rows = await this.db.query<{ tenant_id: string }>(
        'select tenant_id from datasets where id = $1',
        [id],
      );
      if (rows.rows[0]) this.datasetTenant.set(id, rows.rows[0].tenant_id);
    }
    return this.datasetTenant.get(id);
  }

  async ownerOfRun(id: string): Promise<string | undefined> {
    if (!this.runTenant.has(id)) {
      const rows = await this.db.query<{ tenant_id: string }>(
        'select tenant_id from comparison_runs where id = $1',
        [id],
      );
      if (rows.rows[0]) this.runTenant.set(id, rows.rows[0].tenant_id);
    }
    return this.runTenant.get(id);
  }

  /** Observations: own, the public reference data's, or a partner's under a grant. */
  async checkDatasets(
    op: string,
    p: Principal,
    ids: string[],
    start: number,
    end: number,
  ): Promise<void> {
    const allowed = this.partners(p.tenant.id, start, end);
    allowed.add(p.tenant.id).add(this.reference.id);
    for (const id of new Set(ids)) {
      const owner = await this.ownerOfDataset(id);
      if (!owner || !allowed.has(owner)) {
        this.leak(op, p, `an observation of dataset ${id} of tenant ${owner ?? 'unknown'}`);
      }
    }
  }

  async checkRuns(op: string, p: Principal, ids: string[]): Promise<void> {
    for (const id of new Set(ids)) {
      const owner = await this.ownerOfRun(id);
      if (owner !== p.tenant.id) this.leak(op, p, `comparison run ${id} of tenant ${owner}`);
    }
  }
}

type Operation = (soak: Soak, p: Principal, round: number) => Promise<void>;

const nodes = <T>(data: unknown, field: string): T[] =>
  (data as Record<string, { nodes: T[] }>)[field]?.nodes ?? [];

async function observations(soak: Soak, p: Principal, source: 'OWN' | 'PARTNERS') {
  const op = `observations ${source}`;
  const r = await soak.request(op, p, {
    query: `query($m: [String!], $s: ObservationSource) {
      observations(first: 100, filter: { measures: $m, source: $s }) {
        totalCount nodes { urn measure timePeriod value suppression datasetId } } }`,
    variables: { m: KS4, s: source },
  });
  if (!r) return;
  const ids = nodes<{ datasetId: string }>(r.res.body.data, 'observations').map((o) => o.datasetId);
  await soak.checkDatasets(op, p, ids, r.start, r.end);
}

const OPERATIONS: Record<string, Operation> = {
  async me(soak, p) {
    const r = await soak.request('me', p, { query: '{ me { user { id role } tenant { id } } }' });
    const me = r?.res.body.data?.me as { user: { id: string }; tenant: { id: string } } | undefined;
    if (r && (me?.tenant.id !== p.tenant.id || !p.tenant.users.has(me.user.id))) {
      soak.leak('me', p, `answered as ${JSON.stringify(me)}`);
    }
  },
  async tenants(soak, p) {
    await soak.request('tenants (operator)', p, { query: '{ tenants { id name laCode } }' });
  },
  async ownSchools(soak, p) {
    const r = await soak.request('schools OWN', p, {
      query: '{ schools(first: 50) { totalCount nodes { urn name laCode } } }',
    });
    for (const s of r ? nodes<{ urn: number }>(r.res.body.data, 'schools') : []) {
      if (!p.tenant.schools.has(s.urn)) soak.leak('schools OWN', p, `school ${s.urn}`);
    }
  },
  async partnerSchools(soak, p) {
    const r = await soak.request('schools PARTNERS', p, {
      query: '{ schools(source: PARTNERS, first: 50) { totalCount nodes { urn name } } }',
    });
    if (!r) return;
    const allowed = soak.partnerSchools(p.tenant.id, r.start, r.end);
    for (const s of nodes<{ urn: number }>(r.res.body.data, 'schools')) {
      if (!allowed.has(s.urn)) soak.leak('schools PARTNERS', p, `school ${s.urn}`);
    }
  },
  observations: (soak, p) => observations(soak, p, 'OWN'),
  partnerObservations: (soak, p) => observations(soak, p, 'PARTNERS'),
  async schoolProfile(soak, p) {
    const r = await soak.request('school profile', p, {
      query: `query($urn: Int!, $m: [String!]) { school(urn: $urn) {
        urn name observations(filter: { measures: $m }) { measure value datasetId }
        similarSchools { urn source distance } benchmarks(measures: $m) { measure value median } } }`,
      variables: { urn: p.tenant.school, m: KS4 },
    });
    if (!r) return;
    const school = r.res.body.data?.school as {
      urn: number;
      observations: { datasetId: string }[];
      similarSchools: { urn: number; source: string }[];
    };
    if (school.urn !== p.tenant.school) soak.leak('school profile', p, `school ${school.urn}`);
    const ids = school.observations.map((o) => o.datasetId);
    await soak.checkDatasets('school profile', p, ids, r.start, r.end);
    const partners = soak.partnerSchools(p.tenant.id, r.start, r.end);
    for (const s of school.similarSchools) {
      const allowed =
        s.source === 'OWN'
          ? p.tenant.schools
          : s.source === 'REFERENCE'
            ? soak.reference.schools
            : partners;
      if (!allowed.has(s.urn))
        soak.leak('school profile', p, `similar school ${s.urn} (${s.source})`);
    }
  },
  async requestComparison(soak, p) {
    const target = p.role === 'headteacher' ? { urn: p.tenant.school } : { allSchools: true };
    const r = await soak.request('requestComparison', p, {
      query: `mutation($input: ComparisonRequestInput!) { requestComparison(input: $input) { id status } }`,
      variables: {
        input: {
          target,
          phase: 'secondary',
          period: '201819',
          outcomeMeasures: KS4,
          // The first request queues a run, the same request again reuses it (or its result).
          k: 10,
        },
      },
    });
    const run = r?.res.body.data?.requestComparison as { id: string } | undefined;
    if (run) await soak.checkRuns('requestComparison', p, [run.id]);
  },
  async comparisonRuns(soak, p) {
    const r = await soak.request('comparisonRuns', p, {
      query: '{ comparisonRuns(first: 10) { totalCount nodes { id status progress } } }',
    });
    if (!r) return;
    const ids = nodes<{ id: string }>(r.res.body.data, 'comparisonRuns').map((n) => n.id);
    await soak.checkRuns('comparisonRuns', p, ids);
  },
  async users(soak, p) {
    const r = await soak.request('users (LA admin)', p, {
      query: '{ users(first: 50) { totalCount nodes { id email role } } }',
    });
    for (const u of r ? nodes<{ id: string }>(r.res.body.data, 'users') : []) {
      if (!p.tenant.users.has(u.id)) soak.leak('users (LA admin)', p, `user ${u.id}`);
    }
  },
  async datasets(soak, p) {
    const r = await soak.request('datasets (LA admin)', p, {
      query: '{ datasets(first: 20) { totalCount nodes { id status } } }',
    });
    if (!r) return;
    const ids = nodes<{ id: string }>(r.res.body.data, 'datasets').map((d) => d.id);
    for (const id of ids) {
      if ((await soak.ownerOfDataset(id)) !== p.tenant.id) {
        soak.leak('datasets (LA admin)', p, `dataset ${id}`);
      }
    }
  },
  async protocols(soak, p) {
    await soak.request('protocols', p, {
      query: '{ protocols { id status title parties { laCode signed } } }',
    });
  },
  async accessLog(soak, p) {
    await soak.request('accessLog', p, {
      query: '{ accessLog(first: 20) { totalCount nodes { protocolId readerTenantId rowCount } } }',
    });
  },
  async upload(soak, p, round) {
    const file = p.tenant.upload;
    let bytes = readFileSync(sharedDataFile(file));
    // Once per soak a corrected file (a new dataset version); otherwise the same file (a no-op).
    if (round === 2) bytes = Buffer.from(`${bytes.toString('latin1')}\r\n`, 'latin1');
    const form = new FormData();
    form.append('file', new Blob([bytes]), basename(file));
    const r = await soak.request('upload (REST)', p, { form });
    const id = r?.res.body.datasetId as string | undefined;
    if (id && (await soak.ownerOfDataset(id)) !== p.tenant.id) {
      soak.leak('upload (REST)', p, `dataset ${id}`);
    }
  },
};

/** What each role does, round after round. */
const WORK: Record<Principal['role'], string[]> = {
  operator: ['tenants', 'me'],
  la_admin: ['users', 'datasets', 'protocols', 'ownSchools', 'accessLog', 'upload', 'me'],
  analyst: [
    'ownSchools',
    'partnerSchools',
    'observations',
    'partnerObservations',
    'requestComparison',
    'comparisonRuns',
    'me',
  ],
  headteacher: ['schoolProfile', 'requestComparison', 'me'],
  governor: ['schoolProfile', 'me'],
};

const TERMS = {
  purpose: 'Soak: compare secondary schools',
  disclosure: 'NAMED',
  categories: ['attainment', 'progress', 'context'],
  periodFrom: '2016/17',
  periodTo: '2018/19',
  phases: ['secondary'],
  smallCohortThreshold: 6,
  validFrom: new Date().toISOString().slice(0, 10),
  validTo: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
};

/** Creates, proposes and has every party sign a protocol; returns its id. */
async function agree(
  soak: Soak,
  owner: Principal,
  partner: Principal,
  title: string,
  onLastSignature?: () => void,
): Promise<string | undefined> {
  const created = await soak.request('protocol change', owner, {
    query: 'mutation($i: ProtocolTermsInput!) { createProtocol(input: $i) { id } }',
    variables: { i: { ...TERMS, title, partyLaCodes: [partner.tenant.laCode] } },
  });
  const id = (created?.res.body.data?.createProtocol as { id: string } | undefined)?.id;
  if (!id) return undefined;
  await soak.request('protocol change', owner, {
    query: 'mutation($id: ID!) { proposeProtocol(id: $id) { id } }',
    variables: { id },
  });
  for (const [i, signer] of [owner, partner].entries()) {
    if (i === 1) onLastSignature?.();
    await soak.request('protocol change', signer, {
      query: 'mutation($id: ID!) { signProtocol(id: $id) { id status } }',
      variables: { id },
    });
  }
  return id;
}

/** Hampshire and Surrey agree a protocol, share for a moment, and Hampshire revokes it; again. */
async function churnProtocols(soak: Soak, owner: Principal, partner: Principal, until: number) {
  let cycles = 0;
  while (performance.now() < until) {
    const window: Window = {
      parties: [owner.tenant.id, partner.tenant.id],
      from: Infinity,
      to: Infinity,
    };
    const id = await agree(soak, owner, partner, `Soak protocol ${++cycles}`, () => {
      window.from = performance.now();
      soak.windows.push(window);
    });
    await new Promise((r) => setTimeout(r, 1_500));
    if (id) {
      await soak.request('protocol change', owner, {
        query: 'mutation($id: ID!) { revokeProtocol(id: $id, reason: "soak") { id status } }',
        variables: { id },
      });
    }
    window.to = performance.now();
    await new Promise((r) => setTimeout(r, 500));
  }
  return cycles;
}

function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
}

async function seedUsers(db: Client, tenant: Tenant, roles: readonly string[], hash: string) {
  const emails: Record<string, string> = {};
  for (const role of roles) {
    const email = `${role}.${tenant.laCode ?? 'platform'}@soak.invalid`;
    const bound = role === 'headteacher' || role === 'governor';
    const [{ id }] = (
      await db.query<{ id: string }>(
        `insert into users (tenant_id, email, role, school_urn, password_hash)
         values ($1, $2, $3, $4, $5) returning id`,
        [tenant.id, email, role, bound ? tenant.school : null, hash],
      )
    ).rows;
    await db.query('insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)', [
      email,
      tenant.id,
      id,
    ]);
    tenant.users.add(id);
    emails[role] = email;
  }
  return emails;
}

/** A service as deployed; its JSON log lines (warnings and errors) go to the file `log`. */
function startService(name: 'api' | 'worker', env: NodeJS.ProcessEnv, log: number): ChildProcess {
  const main = join(__dirname, '..', '..', 'apps', name, 'src', 'main.js');
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (code) process.stderr.write(`The ${name} stopped (exit ${code ?? signal})\n`);
  });
  return child;
}

async function waitUntilReady(url: string): Promise<void> {
  // Generous: on a loaded machine the API took over a minute to start.
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const benchmark: Benchmark = {
  description:
    'soak: concurrent clients of three authorities and every role, every response checked for errors and leaks; p50/p95 per operation, RSS of the API and the worker',
  async run(args) {
    const seconds = option(args, '--seconds', DEFAULT_SECONDS);
    const perPrincipal = option(args, '--clients-per-principal', 1);
    const adminUrl =
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `sbbench_${Date.now().toString(36)}`;
    const out: string[] = [];
    const logPath = join(tmpdir(), `${name}-services.log`);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    // Progress on stderr, so that a slow setup is never silent and stdout is the report.
    const progress = (line: string) => process.stderr.write(`soak: ${line}\n`);
    await ensureRoles(adminUrl);
    await createDatabase(adminUrl, name);
    const superuser = new Client({ connectionString: withDatabase(adminUrl, name) });
    superuser.on('error', () => undefined);
    const services: ChildProcess[] = [];
    try {
      const setupStart = performance.now();
      progress(`database ${name}: migrating`);
      await runMigrations(withDatabase(adminUrl, name, OWNER_ROLE));
      await superuser.connect();

      // Setup (not measured): tenants, DfE's files imported through the product's importer.
      const tenantRow = async (kind: string, tenantName: string, laCode: string | null) =>
        (
          await superuser.query<{ id: string }>(
            'insert into tenants (kind, la_code, name) values ($1, $2, $3) returning id',
            [kind, laCode, tenantName],
          )
        ).rows[0].id;
      const blank = (
        id: string,
        laCode: string | null,
        tenantName: string,
        upload = '',
      ): Tenant => ({
        id,
        laCode,
        name: tenantName,
        schools: new Set(),
        school: 0,
        users: new Set(),
        upload,
      });
      const platform = blank(
        await tenantRow('platform', 'SchoolBench platform', null),
        null,
        'platform',
      );
      const reference = blank(
        await tenantRow('public', 'DfE published data', null),
        null,
        'public',
      );
      const tenants: Tenant[] = [];
      for (const a of AUTHORITIES) {
        tenants.push(
          blank(await tenantRow('authority', a.name, a.laCode), a.laCode, a.name, a.upload),
        );
      }
      process.env.DATABASE_URL = withDatabase(adminUrl, name, APP_ROLE);
      process.env.LOG_LEVEL = 'silent';
      const setup = await NestFactory.createApplicationContext(SoakSetupModule, { logger: false });
      let observations = 0;
      try {
        const imports = setup.get(DatasetImports);
        const load = async (tenant: Tenant, files: string[]) => {
          for (const file of files) {
            progress(`importing ${file} as ${tenant.name}'s`);
            const path = sharedDataFile(file);
            const outcome = await imports.importInto(tenant.id, null, {
              file: { name: basename(path), open: () => createReadStream(path) },
            });
            if (outcome.status !== 'published') throw new Error(`${file} failed validation`);
          }
        };
        await load(reference, REFERENCE_FILES);
        for (const [i, a] of AUTHORITIES.entries()) await load(tenants[i], a.files);
      } finally {
        await setup.close();
      }
      for (const t of [reference, ...tenants]) {
        // The headteacher's school: KS4 results and the 2018/19 context a comparison needs.
        const rows = await superuser.query<{ urn: number; comparable: boolean }>(
          `select s.urn,
             exists (select 1 from observations o where o.tenant_id = s.tenant_id and o.urn = s.urn
                       and o.measure = 'ks4_attainment8' and o.value is not null)
             and (select count(distinct o.measure) from observations o
                  where o.tenant_id = s.tenant_id and o.urn = s.urn and o.time_period = 201819
                    and o.breakdown = 'all' and o.value > 0
                    and o.measure in ('fsm_ever_pct', 'eal_pct', 'sen_support_pct', 'pupils_on_roll')) = 4
             as comparable
           from schools s where s.tenant_id = $1 order by s.urn`,
          [t.id],
        );
        t.schools = new Set(rows.rows.map((r) => r.urn));
        t.school = rows.rows.find((r) => r.comparable)?.urn ?? rows.rows[0]?.urn ?? 0;
      }
      observations = Number(
        (await superuser.query<{ n: string }>('select count(*) as n from observations')).rows[0].n,
      );
      const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
      const emails = new Map<Tenant, Record<string, string>>();
      emails.set(platform, await seedUsers(superuser, platform, ['operator'], hash));
      for (const t of tenants) emails.set(t, await seedUsers(superuser, t, ROLES, hash));
      await superuser.query('analyze');

      // The API and a worker as deployed, in processes of their own.
      const port = await freePort();
      const prefix = `${name}:soak`;
      const env = {
        ...process.env,
        DATABASE_URL: withDatabase(adminUrl, name, APP_ROLE),
        DATABASE_OWNER_URL: withDatabase(adminUrl, name, OWNER_ROLE),
        REDIS_PREFIX: prefix,
        JWT_SECRET: randomBytes(32).toString('hex'),
        JWT_ACCESS_TTL_SECONDS: '3600',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        // The soak measures correctness under load, not the limiters: every client is on 127.0.0.1.
        LOGIN_ATTEMPTS_PER_MINUTE: '10000',
        TENANT_REQUESTS_PER_MINUTE: '1000000',
        // Uploads above 100 kB take the large-upload path: stored, then imported by the worker.
        IMPORT_IN_BACKGROUND_ABOVE_BYTES: String(100 * 1024),
        COMPARISON_UPKEEP_INTERVAL_SECONDS: '5',
        DATASET_IMPORT_UPKEEP_INTERVAL_SECONDS: '5',
      };
      progress(`starting the API and a worker (their logs: ${logPath})`);
      const log = openSync(logPath, 'w');
      services.push(startService('api', env, log), startService('worker', env, log));
      const base = `http://127.0.0.1:${port}`;
      await waitUntilReady(`${base}/health/ready`);
      const soak = new Soak(base, tenants, reference, superuser);

      const signIn = async (tenant: Tenant, role: Principal['role']): Promise<Principal> => {
        const email = emails.get(tenant)![role];
        const res = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query:
              'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
            variables: { e: email, p: PASSWORD },
          }),
        });
        const body = (await res.json()) as { data?: { login: { accessToken: string } } };
        if (!body.data) throw new Error(`Sign-in of ${email} failed: ${JSON.stringify(body)}`);
        const label = tenant.laCode ? `${role} ${tenant.laCode}` : role;
        return { name: label, role, tenant, email, token: body.data.login.accessToken };
      };
      const principals: Principal[] = [await signIn(platform, 'operator')];
      for (const t of tenants) for (const role of ROLES) principals.push(await signIn(t, role));
      const admin = (laCode: string) =>
        principals.find((p) => p.role === 'la_admin' && p.tenant.laCode === laCode)!;

      // Hampshire and North Yorkshire share their secondary schools for the whole soak.
      await agree(soak, admin('850'), admin('815'), 'Secondary benchmarking (soak)');
      soak.standing.push([admin('850').tenant.id, admin('815').tenant.id]);
      if (soak.errorCount) throw new Error(`Setup failed: ${soak.errors.join('; ')}`);
      const setupSeconds = (performance.now() - setupStart) / 1000;

      // Warm-up round (not measured), then RSS at the start.
      for (const p of principals) for (const op of WORK[p.role]) await OPERATIONS[op](soak, p, 0);
      soak.latencies.clear();
      const rssStart = services.map(rssMiB);
      const load = loadavg();

      progress(`soaking for ${seconds} s`);
      const started = performance.now();
      const until = started + seconds * 1000;
      let requests = 0;
      const clients = principals.flatMap((p) =>
        Array.from({ length: perPrincipal }, async (_, c) => {
          for (let round = 1; performance.now() < until; round++) {
            for (const op of WORK[p.role]) {
              if (performance.now() >= until) break;
              // One upload per admin and round-trip of its work, not one per client.
              if (op === 'upload' && c > 0) continue;
              await OPERATIONS[op](soak, p, round);
              requests++;
            }
          }
        }),
      );
      const cycles = churnProtocols(soak, admin('850'), admin('936'), until);
      await Promise.all(clients);
      const protocolCycles = await cycles;
      const elapsed = (performance.now() - started) / 1000;

      progress('waiting for queued comparison runs and imports');
      // Queued work finishes: every run and import requested during the soak.
      const drained = Date.now() + 300_000;
      let pending: { runs: number; imports: number } = { runs: 0, imports: 0 };
      for (;;) {
        pending = (
          await superuser.query<{ runs: number; imports: number }>(
            `select (select count(*)::int from comparison_runs where status in ('queued', 'running')) as runs,
                    (select count(*)::int from datasets where status in ('queued', 'importing')) as imports`,
          )
        ).rows[0];
        if ((pending.runs === 0 && pending.imports === 0) || Date.now() > drained) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const rssEnd = services.map(rssMiB);
      const finished = (
        await superuser.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from comparison_runs group by status
           union all select 'dataset ' || status, count(*)::int from datasets group by status
           order by 1`,
        )
      ).rows;
      // A run queued under the churned protocol and revoked before a worker took it up fails by
      // design (SPEC §6: from the next request on, partners see none of its data).
      const [{ n: ended }] = (
        await superuser.query<{ n: number }>(
          `select count(*)::int as n from comparison_runs
           where status = 'failed' and error like 'A partner''s data this comparison was requested with is no longer shared%'`,
        )
      ).rows;
      const failedRuns = (finished.find((f) => f.status === 'failed')?.n ?? 0) - ended;
      const why = (
        await superuser.query<{ error: string; n: number }>(
          `select coalesce(error, message) as error, count(*)::int as n from comparison_runs
           where status = 'failed' group by 1
           union all select 'dataset: ' || d.file_name || ': ' || coalesce(p.message, ''), count(*)::int
           from datasets d left join lateral (select x->>'message' as message
             from jsonb_array_elements(d.report->'problems') x where x->>'severity' = 'error' limit 1) p on true
           where d.status = 'failed' group by 1`,
        )
      ).rows;
      const failedImports = finished.find((f) => f.status === 'dataset failed')?.n ?? 0;

      const ms = (v: number) => `${v.toFixed(1)} ms`.padStart(10);
      out.push(
        `Soak: ${principals.length} principals × ${perPrincipal} client(s) (operator; LA admin, analyst, headteacher, governor of ${tenants
          .map((t) => `${t.name} ${t.laCode}`)
          .join(', ')}) + one protocol-churn client, for ${elapsed.toFixed(0)} s`,
        `data: DfE files imported as published: ${observations} observations (public reference: ${reference.schools.size} schools; ${tenants
          .map((t) => `${t.laCode}: ${t.schools.size}`)
          .join(', ')}); setup ${setupSeconds.toFixed(0)} s, not measured`,
        `the API and a worker as child processes (NODE_ENV=production, generated JWT secret), Redis prefix ${prefix}`,
        `load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs at the start, ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at the end (other work on this machine included)`,
        '',
        `  ${'operation'.padEnd(24)}${'requests'.padStart(9)}${'p50'.padStart(10)}${'p95'.padStart(12)}`,
        ...[...soak.latencies.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(
            ([op, values]) =>
              `  ${op.padEnd(24)}${String(values.length).padStart(9)}${ms(percentile(values, 0.5))}  ${ms(percentile(values, 0.95))}`,
          ),
        '',
        `  requests: ${requests} operations (${(requests / elapsed).toFixed(1)}/s); protocol agreed and revoked ${protocolCycles} time(s)`,
        `  queued work at the end: ${finished.map((f) => `${f.status} ${f.n}`).join(', ')}${pending.runs || pending.imports ? ` (STILL PENDING: ${pending.runs} runs, ${pending.imports} imports)` : ''}`,
        ...why.map((w) => `    failed ${w.n}×: ${w.error.slice(0, 200)}`),
        `  runs ended because the churned protocol was revoked before a worker took them up (by design, not errors): ${ended}`,
        `  errors: ${soak.errorCount}`,
        ...soak.errors.map((e) => `    ${e}`),
        `  cross-tenant leaks: ${soak.leakCount}`,
        ...soak.leaks.map((e) => `    ${e}`),
        `  the services' warnings and errors: ${logPath}`,
        `  RSS of the API: ${rssStart[0].toFixed(0)} MiB at the start, ${rssEnd[0].toFixed(0)} MiB at the end`,
        `  RSS of the worker: ${rssStart[1].toFixed(0)} MiB at the start, ${rssEnd[1].toFixed(0)} MiB at the end`,
        '',
        `goal: zero errors ............................ ${soak.errorCount === 0 && failedRuns === 0 && failedImports === 0 && !pending.runs && !pending.imports ? 'met' : 'NOT MET'}`,
        `goal: zero cross-tenant leaks ................ ${soak.leakCount === 0 ? 'met' : 'NOT MET'}`,
        `goal: memory flat (API RSS grows < 25 %) ...... ${rssEnd[0] < rssStart[0] * 1.25 ? 'met' : 'NOT MET'} (${(((rssEnd[0] - rssStart[0]) / rssStart[0]) * 100).toFixed(0)} %)`,
      );
    } finally {
      for (const s of services) s.kill('SIGTERM');
      await Promise.all(
        services.map((s) =>
          s.exitCode === null ? new Promise((r) => s.once('exit', r)) : Promise.resolve(),
        ),
      );
      await superuser.end().catch(() => undefined);
      await dropDatabase(adminUrl, name);
      await deleteRedisKeys(name);
    }
    say(out.join('\n'));
  },
};

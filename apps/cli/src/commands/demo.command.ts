import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';

import { loadAppConfig } from '@schoolbench/config';
import { UsersService } from '@schoolbench/identity';
import { DisclosureLevel, ProtocolsService, ProtocolStatus } from '@schoolbench/sharing';
import { TenantContext, TenantTransactions, type Role } from '@schoolbench/tenancy';
import { TenantsService } from '@schoolbench/tenants';

import { CommandError, withServices } from '../cli-context';
import { repositoryRoot, sharedDataFolder } from '../shared-data';
import { analyzeDatabase, migrate, provisionDatabase } from './database.command';
import { importFilesWith, type ImportSummaryRow } from './import.command';

export const DEMO_PASSWORD = 'schoolbench-demo';

/** The demo authorities and the folders of their DfE files, imported as published. */
const DEMO_AUTHORITIES = [
  { laCode: '850', name: 'Hampshire', slug: 'hampshire', folder: 'dfe/la-850-hampshire' },
  {
    laCode: '815',
    name: 'North Yorkshire',
    slug: 'north-yorkshire',
    folder: 'dfe/la-815-north-yorkshire',
  },
] as const;

/** DfE's published national files: the public reference data every tenant can read. */
const REFERENCE_FOLDER = 'dfe/national';

export interface DemoLogin {
  authority: string;
  role: Role;
  email: string;
  school: string;
}

function dataPath(relative: string): string {
  const path = join(sharedDataFolder(), relative);
  if (!existsSync(path)) throw new CommandError(`Demo data missing: ${path}`);
  return path;
}

function report(tenant: string, rows: ImportSummaryRow[]): void {
  const observations = rows.reduce((n, r) => n + r.observations, 0);
  const failed = rows.filter((r) => r.status.startsWith('failed')).map((r) => r.file);
  process.stdout.write(
    `  ${tenant}: ${rows.length} files, ${observations} observations` +
      (failed.length ? `; failed validation: ${failed.join(', ')}` : '') +
      '\n',
  );
}

async function ensureUser(
  app: INestApplicationContext,
  tenantId: string,
  email: string,
  role: Role,
  schoolUrn: number | null,
): Promise<void> {
  const users = app.get(UsersService);
  if (await users.findByEmailInTenant(tenantId, email)) return;
  await users.provision(tenantId, { email, role, password: DEMO_PASSWORD, schoolUrn });
}

const DEMO_PROTOCOL = 'Secondary benchmarking 2016–2019';

/**
 * Journey 2 of SPEC §2 as demo data: Hampshire proposes a named protocol to North Yorkshire for
 * secondary schools' KS4 results and context, and both LA admins sign it. Skipped if it exists.
 */
async function ensureDemoProtocol(app: INestApplicationContext): Promise<void> {
  const tenants = app.get(TenantsService);
  const users = app.get(UsersService);
  const protocols = app.get(ProtocolsService);
  const context = app.get(TenantContext);
  const admins = [];
  for (const la of DEMO_AUTHORITIES) {
    const tenant = await tenants.ensure('authority', la.name, la.laCode);
    const admin = await users.findByEmailInTenant(tenant.id, `la-admin@${la.slug}.demo`);
    if (!admin) throw new CommandError(`The demo LA admin of ${la.name} is missing`);
    admins.push({
      tenantId: tenant.id,
      userId: admin.id,
      role: 'la_admin' as const,
      schoolUrn: null,
      via: 'cli' as const,
    });
  }
  const [owner, partner] = admins as [(typeof admins)[number], (typeof admins)[number]];
  const existing = await context.runAs(owner, () => protocols.list());
  if (existing.some((p) => p.title === DEMO_PROTOCOL && p.status !== ProtocolStatus.REVOKED)) {
    return;
  }
  const today = new Date();
  const inTwoYears = new Date(today);
  inTwoYears.setUTCFullYear(today.getUTCFullYear() + 2);
  const created = await context.runAs(owner, () =>
    protocols.create({
      title: DEMO_PROTOCOL,
      purpose:
        'Compare each secondary school with similar schools in both authorities, to find good practice to share between headteachers',
      partyLaCodes: ['815'],
      categories: ['attainment', 'progress', 'context'],
      periodFrom: '2016/17',
      periodTo: '2018/19',
      phases: ['secondary'],
      disclosure: DisclosureLevel.NAMED,
      smallCohortThreshold: 6,
      validFrom: today.toISOString().slice(0, 10),
      validTo: inTwoYears.toISOString().slice(0, 10),
    }),
  );
  await context.runAs(owner, () => protocols.propose(created.id));
  for (const admin of [owner, partner]) {
    await context.runAs(admin, () => protocols.sign(created.id, 1));
  }
  process.stdout.write(
    `Protocol "${DEMO_PROTOCOL}" between Hampshire and North Yorkshire is active (id ${created.id})\n`,
  );
}

/** Demo tenants, their DfE data, the public reference data and one user per role. Safe to rerun. */
export async function seedDemo(
  app: INestApplicationContext,
  withReference = true,
): Promise<DemoLogin[]> {
  const tenants = app.get(TenantsService);
  const platform = await tenants.ensure('platform', 'SchoolBench platform');
  await tenants.ensure('public', 'DfE published data (England)');
  await ensureUser(app, platform.id, 'operator@schoolbench.demo', 'operator', null);
  const logins: DemoLogin[] = [
    { authority: 'platform', role: 'operator', email: 'operator@schoolbench.demo', school: '' },
  ];
  process.stdout.write('Importing DfE files as published (a file imported before is skipped):\n');
  if (withReference) {
    report(
      'public reference data',
      await importFilesWith(app, [dataPath(REFERENCE_FOLDER)], { tenant: 'public' }),
    );
  }
  for (const la of DEMO_AUTHORITIES) {
    const tenant = await tenants.ensure('authority', la.name, la.laCode);
    report(
      `${la.name} (${la.laCode})`,
      await importFilesWith(app, [dataPath(la.folder)], { tenant: la.laCode }),
    );
    const school = await app
      .get(TenantTransactions)
      .inTenant(tenant.id, (m) =>
        m.query<{ urn: number; name: string }[]>(
          `select urn, name from schools where tenant_id = $1
           order by (phase ilike '%primary%') desc, urn limit 1`,
          [tenant.id],
        ),
      )
      .then((rows) => rows[0]);
    if (!school) throw new CommandError(`No schools were imported for ${la.name}`);
    for (const role of ['la_admin', 'analyst', 'headteacher', 'governor'] as const) {
      const email = `${role.replace('_', '-')}@${la.slug}.demo`;
      const bound = role === 'headteacher' || role === 'governor';
      await ensureUser(app, tenant.id, email, role, bound ? school.urn : null);
      logins.push({
        authority: `${la.name} (${la.laCode})`,
        role,
        email,
        school: bound ? `${school.urn} ${school.name}` : '',
      });
    }
  }
  await ensureDemoProtocol(app);
  return logins;
}

/**
 * The demo's token-signing secret. JWT_SECRET from the environment wins; otherwise one is
 * generated on the first run for this database and kept, readable by its owner only, in
 * `.demo/<database>.jwt-secret` (git-ignored), so sessions survive a restart of the demo and no
 * two demo databases share a secret. Never a value written in the repository.
 */
export function demoSigningSecret(
  databaseUrl: string,
  folder = join(repositoryRoot(), '.demo'),
): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const database = new URL(databaseUrl).pathname.slice(1) || 'schoolbench';
  const file = join(folder, `${database.replace(/[^\w.-]/g, '_')}.jwt-secret`);
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * Refuses to start when something already listens on a service's port: the demo would otherwise
 * report that other process as SchoolBench while its own service died on EADDRINUSE.
 */
export async function ensurePortFree(
  host: string,
  port: number,
  service: string,
  setting: string,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new CommandError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} (the ${service}, ${setting}) is already in use: stop what is listening there, or set ${setting} to a free port`
            : `Cannot listen on ${host}:${port} for the ${service} (${setting}): ${error.message}`,
        ),
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Waits until `url` answers 200; fails at once if the service's process has stopped. */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  service?: { name: string; process: ChildProcess },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stopped = service ? (service.process.exitCode ?? service.process.signalCode) : null;
    if (service && stopped !== null) {
      throw new CommandError(
        `The ${service.name} stopped (${stopped}) before it answered ${url}: see its error above`,
      );
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new CommandError(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

/** The web serves its sign-in page (not only its health check): what a new user opens first. */
async function expectWebPage(web: string): Promise<void> {
  const res = await fetch(`${web}/sign-in`).catch(() => null);
  const html = res?.ok ? await res.text() : '';
  if (!html.includes('Email address')) {
    throw new CommandError(
      `The web answered its health check but not its sign-in page (${web}/sign-in: ${res ? `HTTP ${res.status}` : 'no answer'})`,
    );
  }
}

function startService(name: 'api' | 'worker' | 'web'): ChildProcess {
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', '..', '..', name, 'src', 'main.js')],
    {
      env: process.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return child;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Provision, migrate, load demo tenants and users, then run the API, the web dashboard and a worker',
    )
    .option('--no-start', 'seed only, do not start the services')
    .option('--no-reference', "skip DfE's national files (the public reference data)")
    .action(async (opts: { start: boolean; reference: boolean }) => {
      await provisionDatabase();
      const applied = await migrate();
      if (applied.length) process.stdout.write(`Migrations applied: ${applied.join(', ')}\n`);
      const logins = await withServices((app) => seedDemo(app, opts.reference));
      await analyzeDatabase();
      if (!opts.start) {
        printLogins(logins);
        return;
      }
      const config = loadAppConfig();
      // The API and worker inherit it from this process's environment.
      process.env.JWT_SECRET = demoSigningSecret(config.DATABASE_URL);
      await ensurePortFree(config.HOST, config.PORT, 'API', 'PORT');
      await ensurePortFree(config.HOST, config.WEB_PORT, 'web dashboard', 'WEB_PORT');
      const [api, worker, webService] = [
        startService('api'),
        startService('worker'),
        startService('web'),
      ];
      const services = [api, worker, webService];
      let stopping = false;
      const stop = () => {
        stopping = true;
        services.forEach((s) => s.kill('SIGTERM'));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // One service stopping on its own stops the demo: it must not look as if it were running.
      for (const [name, child] of [
        ['API', api],
        ['worker', worker],
        ['web', webService],
      ] as const) {
        child.once('exit', (code, signal) => {
          if (stopping) return;
          process.stderr.write(`The ${name} stopped (${code ?? signal}); stopping the demo.\n`);
          process.exitCode = 1;
          stop();
        });
      }
      const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
      const web = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.WEB_PORT}`;
      try {
        await waitUntilReady(`${base}/health/ready`, 30_000, { name: 'API', process: api });
        await waitUntilReady(`${web}/health/ready`, 30_000, { name: 'web', process: webService });
        await expectWebPage(web);
      } catch (error) {
        stop();
        throw error;
      }
      process.stdout.write(
        `\nSchoolBench is running.\n  Web:     ${web}/\n  GraphQL: ${base}/graphql\n  Health:  ${base}/health/ready\n  Metrics: ${base}/metrics\n\n`,
      );
      printLogins(logins);
      process.stdout.write('\nPress Ctrl-C to stop.\n');
      await Promise.all(services.map((s) => new Promise((r) => s.once('exit', r))));
    });
}

function printLogins(logins: DemoLogin[]): void {
  process.stdout.write(`Demo logins (password for all: ${DEMO_PASSWORD}):\n`);
  console.table(logins);
}

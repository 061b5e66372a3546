import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';

import { loadAppConfig } from '@schoolbench/config';
import { importFile } from '@schoolbench/data-format-core';
import { UsersService } from '@schoolbench/identity';
import { upsertRegister, type RegisterEntry } from '@schoolbench/schools';
import { TenantTransactions, type Role } from '@schoolbench/tenancy';
import { TenantsService } from '@schoolbench/tenants';

import { CommandError, withServices } from '../cli-context';
import { sharedDataFolder } from '../shared-data';
import { migrate, provisionDatabase } from './database.command';

export const DEMO_PASSWORD = 'schoolbench-demo';

/** The demo authorities and the DfE files their school registers are read from. */
const DEMO_AUTHORITIES = [
  {
    laCode: '850',
    name: 'Hampshire',
    slug: 'hampshire',
    files: [
      'dfe/la-850-hampshire/2018-2019_850_ks2final.csv',
      'dfe/la-850-hampshire/2017-2018_850_ks4final.csv',
    ],
  },
  {
    laCode: '815',
    name: 'North Yorkshire',
    slug: 'north-yorkshire',
    files: ['dfe/la-815-north-yorkshire/815_spine.csv'],
  },
] as const;

export interface DemoLogin {
  authority: string;
  role: Role;
  email: string;
  school: string;
}

/** Reads the schools of one LA from DfE files as published. */
async function readRegister(laCode: string, files: readonly string[]): Promise<RegisterEntry[]> {
  const byUrn = new Map<number, RegisterEntry>();
  for (const relative of files) {
    const path = join(sharedDataFolder(), relative);
    if (!existsSync(path)) throw new CommandError(`Demo data file missing: ${path}`);
    for await (const record of importFile({
      file: { name: relative.split('/').pop()!, bytes: createReadStream(path) },
      restrictToLaCodes: [laCode],
    })) {
      if (record.kind !== 'school') continue;
      const s = record.school;
      const urn = Number(s.urn);
      const previous = byUrn.get(urn);
      byUrn.set(urn, {
        urn,
        laestab: s.laestab ? Number(s.laestab) : (previous?.laestab ?? null),
        name: s.name ?? previous?.name ?? `School ${urn}`,
        laCode: s.laCode ?? laCode,
        phase: s.phase ?? previous?.phase ?? null,
        type: s.type ?? previous?.type ?? null,
        openedOn: s.openDate ?? previous?.openedOn ?? null,
        closedOn: s.closeDate ?? previous?.closedOn ?? null,
      });
    }
  }
  return [...byUrn.values()].sort((a, b) => a.urn - b.urn);
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

/** Demo tenants, school registers and one user per role. Safe to run again. */
export async function seedDemo(app: INestApplicationContext): Promise<DemoLogin[]> {
  const tenants = app.get(TenantsService);
  const tx = app.get(TenantTransactions);
  const platform = await tenants.ensure('platform', 'SchoolBench platform');
  await tenants.ensure('public', 'DfE published data (England)');
  await ensureUser(app, platform.id, 'operator@schoolbench.demo', 'operator', null);
  const logins: DemoLogin[] = [
    { authority: 'platform', role: 'operator', email: 'operator@schoolbench.demo', school: '' },
  ];

  for (const la of DEMO_AUTHORITIES) {
    const tenant = await tenants.ensure('authority', la.name, la.laCode);
    const register = await readRegister(la.laCode, la.files);
    await tx.inTenant(tenant.id, (m) => upsertRegister(m, tenant.id, register));
    const school = register.find((s) => s.phase?.toLowerCase().includes('primary')) ?? register[0];
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
  return logins;
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new CommandError(`The API did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

function startService(name: 'api' | 'worker'): ChildProcess {
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', '..', '..', name, 'src', 'main.js')],
    {
      env: process.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  child.on('exit', (code) => {
    if (code !== null && code !== 0)
      process.stderr.write(`The ${name} stopped with exit code ${code}\n`);
  });
  return child;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Provision, migrate, load demo tenants and users, then run the API and a worker')
    .option('--no-start', 'seed only, do not start the services')
    .action(async (opts: { start: boolean }) => {
      await provisionDatabase();
      const applied = await migrate();
      if (applied.length) process.stdout.write(`Migrations applied: ${applied.join(', ')}\n`);
      const logins = await withServices(seedDemo);
      if (!opts.start) {
        printLogins(logins);
        return;
      }
      const config = loadAppConfig();
      const services = [startService('api'), startService('worker')];
      const stop = () => services.forEach((s) => s.kill('SIGTERM'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
      await waitUntilReady(`${base}/health/ready`, 30_000);
      process.stdout.write(
        `\nSchoolBench is running.\n  GraphQL: ${base}/graphql\n  Health:  ${base}/health/ready\n  Metrics: ${base}/metrics\n\n`,
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

import type { Command } from 'commander';

import { ApiKeysService, UsersService, type CreatedApiKeyModel } from '@schoolbench/identity';
import { SchoolsService } from '@schoolbench/schools';
import { ROLES, type Role } from '@schoolbench/tenancy';
import { TenantsService, type TenantKind } from '@schoolbench/tenants';

import { actAs, CommandError, OPERATOR_CLI_ACTOR, tenantIdOf, withServices } from '../cli-context';

function role(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new CommandError(`--role "${value}" is not one of ${ROLES.join(', ')}`);
  }
  return value as Role;
}

function urn(value: string): number {
  if (!/^\d{6}$/.test(value)) throw new CommandError(`"${value}" is not a six-digit URN`);
  return Number(value);
}

export function registerTenancyCommands(program: Command): void {
  program
    .command('tenant:create')
    .description(
      'Create a tenant: an authority (with --la-code), the public reference tenant, or the platform',
    )
    .requiredOption('--name <name>', 'display name, e.g. "Surrey"')
    .option('--kind <kind>', 'authority | public | platform', 'authority')
    .option('--la-code <code>', 'three-digit DfE LA code (authorities)')
    .action(async (opts: { name: string; kind: string; laCode?: string }) => {
      if (!['authority', 'public', 'platform'].includes(opts.kind)) {
        throw new CommandError(`--kind "${opts.kind}" is not one of authority, public, platform`);
      }
      if (opts.kind === 'authority' && !/^\d{3}$/.test(opts.laCode ?? '')) {
        throw new CommandError(
          `An authority needs --la-code with three digits (got "${opts.laCode ?? ''}")`,
        );
      }
      const tenant = await withServices((app) =>
        app
          .get(TenantsService)
          .ensure(
            opts.kind as TenantKind,
            opts.name,
            opts.kind === 'authority' ? opts.laCode! : null,
          ),
      );
      process.stdout.write(
        `Tenant ${tenant.name} (${tenant.laCode ?? tenant.kind}): ${tenant.id}\n`,
      );
    });

  program
    .command('user:create')
    .description('Create a user with a password in a tenant (LA code, "public" or "platform")')
    .requiredOption('--tenant <tenant>')
    .requiredOption('--email <email>')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--password <password>')
    .option('--school-urn <urn>', 'for headteachers and governors')
    .action(
      async (opts: {
        tenant: string;
        email: string;
        role: string;
        password: string;
        schoolUrn?: string;
      }) => {
        const user = await withServices(async (app) =>
          app.get(UsersService).provision(await tenantIdOf(app, opts.tenant), {
            email: opts.email,
            role: role(opts.role),
            password: opts.password,
            schoolUrn: opts.schoolUrn ? urn(opts.schoolUrn) : null,
          }),
        );
        process.stdout.write(`User ${user.email} (${user.role}): ${user.id}\n`);
      },
    );

  program
    .command('api-key:create')
    .description("Issue an API key for a user's scripts; the key is printed once")
    .requiredOption('--tenant <tenant>')
    .requiredOption('--email <email>', 'the user the key acts for')
    .requiredOption('--name <name>')
    .option('--role <role>', 'la_admin | analyst (default: the user’s role)')
    .action(async (opts: { tenant: string; email: string; name: string; role?: string }) => {
      const created = await withServices<CreatedApiKeyModel>(async (app) => {
        const tenantId = await tenantIdOf(app, opts.tenant);
        const users = await app.get(UsersService).findByEmailInTenant(tenantId, opts.email);
        if (!users) throw new CommandError(`No user ${opts.email} in tenant ${opts.tenant}`);
        return actAs(
          app,
          { tenantId, userId: users.id, role: users.role, schoolUrn: users.schoolUrn, via: 'cli' },
          () => app.get(ApiKeysService).create(opts.name, opts.role ? role(opts.role) : null),
        );
      });
      process.stdout.write(
        `API key ${created.apiKey.prefix} (${created.apiKey.role}). Shown once:\n${created.secret}\n`,
      );
    });

  program
    .command('school:create')
    .description("Add a school to an authority's register")
    .requiredOption('--tenant <laCode>')
    .requiredOption('--urn <urn>')
    .requiredOption('--name <name>')
    .option('--phase <phase>')
    .option('--type <type>')
    .action(
      async (opts: {
        tenant: string;
        urn: string;
        name: string;
        phase?: string;
        type?: string;
      }) => {
        const school = await withServices(async (app) => {
          const tenantId = await tenantIdOf(app, opts.tenant);
          return actAs(
            app,
            { tenantId, userId: OPERATOR_CLI_ACTOR, role: 'la_admin', schoolUrn: null, via: 'cli' },
            () =>
              app.get(SchoolsService).create({
                urn: urn(opts.urn),
                name: opts.name,
                phase: opts.phase,
                type: opts.type,
              }),
          );
        });
        process.stdout.write(`School ${school.urn} ${school.name} (LA ${school.laCode})\n`);
      },
    );
}

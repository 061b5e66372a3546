import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { exitUnlessServicesReachable, loadAppConfig, probesFor } from '@schoolbench/config';
import { DomainError } from '@schoolbench/graphql';
import { TenantContext, type Principal } from '@schoolbench/tenancy';
import { TenantsService } from '@schoolbench/tenants';

import { CliModule } from './cli.module';

/** A user-facing failure of a command: printed without a stack trace, exit code 2. */
export class CommandError extends Error {}

/** Runs `fn` with the services booted, then shuts them down whatever happens. */
export async function withServices<T>(
  fn: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const config = loadAppConfig();
  await exitUnlessServicesReachable(probesFor(config).filter((p) => p.name === 'PostgreSQL'));
  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    return await fn(app);
  } catch (error) {
    if (error instanceof DomainError) throw new CommandError(error.message);
    throw error;
  } finally {
    await app.close();
  }
}

/**
 * Resolves `--tenant` (an LA code, `public` or `platform`) to a tenant id. The CLI is the
 * operator's tool, run with database credentials: naming a tenant here is the authentication.
 */
export async function tenantIdOf(app: INestApplicationContext, tenant: string): Promise<string> {
  const tenants = await app.get(TenantsService).list();
  const found = /^\d{3}$/.test(tenant)
    ? tenants.find((t) => t.laCode === tenant)
    : tenants.find((t) => t.kind === tenant && t.kind !== 'authority');
  if (!found) {
    throw new CommandError(
      `No tenant "${tenant}". Known: ${tenants.map((t) => t.laCode ?? t.kind).join(', ') || 'none (run tenant:create)'}`,
    );
  }
  return found.id;
}

/** The actor recorded for operator commands that act in an authority without a user of its own. */
export const OPERATOR_CLI_ACTOR = '00000000-0000-0000-0000-000000000000';

/** Acts as a given user of a tenant, as a job would. */
export function actAs<T>(
  app: INestApplicationContext,
  principal: Principal,
  fn: () => Promise<T>,
): Promise<T> {
  return app.get(TenantContext).runAs(principal, fn);
}

import type { Command } from 'commander';

import { TenantExitService } from '@schoolbench/tenants';

import { CommandError, tenantIdOf, withServices } from '../cli-context';

/** An authority leaving SchoolBench (docs/operations.md "Off-boarding an authority"). */
export function registerExitCommands(program: Command): void {
  program
    .command('tenant:exit')
    .description(
      "Start an authority's exit: suspend it (no sign-in, no API keys), end its protocols with the reason, take its schools out of every club. Its rows are deleted after the retention period.",
    )
    .requiredOption('--tenant <la code>', 'the leaving authority')
    .requiredOption('--reason <text>', 'why it leaves: recorded on every protocol it ends')
    .option(
      '--retention-days <days>',
      'keep its rows this many days before deletion (default TENANT_EXIT_RETENTION_DAYS)',
    )
    .action(async (opts: { tenant: string; reason: string; retentionDays?: string }) => {
      if (opts.retentionDays !== undefined && !/^\d+$/.test(opts.retentionDays)) {
        throw new CommandError(`--retention-days "${opts.retentionDays}" is not a whole number`);
      }
      const started = await withServices(async (app) =>
        app.get(TenantExitService).start(await tenantIdOf(app, opts.tenant), {
          reason: opts.reason,
          retentionDays: opts.retentionDays === undefined ? undefined : Number(opts.retentionDays),
        }),
      );
      const lines = [
        `Exit of ${started.name} (${started.laCode}) started ${started.startedAt.toISOString()}: suspended.`,
        ...started.protocols.map(
          (p) =>
            `  protocol ${p.id} ${p.ended}${p.ownerTenantId === started.tenantId ? '' : ' (owned by a partner)'}`,
        ),
        `  club memberships ended: ${started.clubMembershipsEnded}`,
        `Its rows are deleted after ${started.deleteAfter.toISOString()} (tenant:exit-delete, or the worker's schedule).`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('tenant:exit-delete')
    .description(
      'Delete every row of an authority whose exit has started, once its retention period is over (or now, with --now --confirm <la code>)',
    )
    .requiredOption('--tenant <la code>', 'the authority that left')
    .option('--now', 'do not wait for the end of the retention period')
    .option('--confirm <la code>', 'with --now: the LA code again, to confirm')
    .action(async (opts: { tenant: string; now?: boolean; confirm?: string }) => {
      if (opts.now && opts.confirm !== opts.tenant) {
        throw new CommandError(
          `--now deletes every row of ${opts.tenant} at once: add --confirm ${opts.tenant} to confirm`,
        );
      }
      const done = await withServices(async (app) =>
        app
          .get(TenantExitService)
          .deleteRows(await tenantIdOf(app, opts.tenant), { now: opts.now === true }),
      );
      const rows = Object.entries(done.deletedRows ?? {}).filter(([, n]) => n > 0);
      process.stdout.write(
        `Deleted ${rows.reduce((n, [, c]) => n + c, 0)} rows of ${done.name} (${done.laCode}):\n` +
          rows.map(([table, n]) => `  ${table} ${n}`).join('\n') +
          '\n',
      );
    });
}

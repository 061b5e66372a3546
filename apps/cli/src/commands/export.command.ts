import { existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

import { exportFileName, TenantExportBuilder } from '@schoolbench/tenants';

import { CommandError, OPERATOR_CLI_ACTOR, tenantIdOf, withServices } from '../cli-context';

/** An authority's export, taken by the operator (docs/operations.md "Exporting a tenant"). */
export function registerExportCommand(program: Command): void {
  program
    .command('tenant:export')
    .description(
      'Write one .tar.gz of everything an authority owns (datasets as EES files, register, protocols, clubs, targets, runs, users without secrets, access log) with a manifest of checksums. Read as the app role under its row-level security.',
    )
    .requiredOption('--tenant <la code>', 'the authority')
    .requiredOption(
      '--out <file>',
      `the archive to write (e.g. ${exportFileName('850', new Date().toISOString())})`,
    )
    .action(async (opts: { tenant: string; out: string }) => {
      const out = resolve(opts.out);
      if (existsSync(out)) throw new CommandError(`${out} exists already: choose another --out`);
      if (!existsSync(dirname(out))) {
        throw new CommandError(`The folder ${dirname(out)} does not exist`);
      }
      const started = Date.now();
      const built = await withServices(async (app) => {
        const tenantId = await tenantIdOf(app, opts.tenant);
        // Written beside the target and renamed at the end: a failed export leaves no file.
        const partial = `${out}.partial`;
        const file = await open(partial, 'wx');
        try {
          const result = await app.get(TenantExportBuilder).build(
            tenantId,
            null,
            {
              write: async (piece) => {
                await file.write(piece);
              },
              progress: (percent, message) => {
                process.stderr.write(`${String(percent).padStart(3)}% ${message}\n`);
                return Promise.resolve();
              },
            },
            { userId: OPERATOR_CLI_ACTOR, via: 'cli' },
          );
          await file.close();
          await rename(partial, out);
          return result;
        } catch (error) {
          await file.close().catch(() => undefined);
          await rm(partial, { force: true });
          throw error;
        }
      });
      const rows = built.manifest.files.reduce((n, f) => n + (f.rows ?? 0), 0);
      process.stdout.write(
        [
          `Exported ${built.manifest.tenant.name} (${built.manifest.tenant.laCode ?? opts.tenant}) to ${out}`,
          `  ${built.manifest.files.length} files, ${rows} rows, ${built.sizeBytes} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s`,
          `  sha256 ${built.sha256}`,
          '  manifest.json (the last entry) lists every file with its rows, bytes and SHA-256.',
        ].join('\n') + '\n',
      );
    });
}

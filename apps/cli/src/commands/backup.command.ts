import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';

import { loadAppConfig } from '@schoolbench/config';
import {
  backupDatabase,
  BackupError,
  manifestPathOf,
  restoreDatabase,
} from '@schoolbench/database';

import { CommandError } from '../cli-context';

/** The operator's backup and restore (docs/operations.md, "Backup and restore"). */
export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      "Write a consistent pg_dump custom archive of the database, and beside it <file>.manifest.json (every table's row count and checksum in the dumped snapshot). Runs as DATABASE_ADMIN_URL.",
    )
    .requiredOption('--out <file>', 'where to write the archive')
    .option('--database <name>', 'database to back up (default: the one in DATABASE_URL)')
    .action(async (options: { out: string; database?: string }) => {
      const config = loadAppConfig();
      const out = resolve(options.out);
      if (!existsSync(dirname(out))) throw new CommandError(`No folder ${dirname(out)} for --out`);
      if (existsSync(out)) throw new CommandError(`${out} exists: choose a new file for --out`);
      const database = options.database ?? new URL(config.DATABASE_URL).pathname.slice(1);
      const started = Date.now();
      const manifest = await backupDatabase({
        adminUrl: config.DATABASE_ADMIN_URL,
        database,
        out,
      }).catch(asCommandError);
      const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
      process.stdout.write(
        `Backed up ${database}: ${Object.keys(manifest.tables).length} tables, ${rows} rows, ` +
          `${manifest.archive.bytes} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
          `  archive  ${out}\n  manifest ${manifestPathOf(out)}\n`,
      );
    });

  program
    .command('restore <file>')
    .description(
      'Restore an archive into a NEW database: provisions the roles, restores, then checks every table against the manifest. Runs as DATABASE_ADMIN_URL.',
    )
    .requiredOption('--database <name>', 'name of the database to create')
    .action(async (file: string, options: { database: string }) => {
      const config = loadAppConfig();
      if (!/^[a-z_][a-z0-9_]*$/.test(options.database)) {
        throw new CommandError(
          `--database "${options.database}" is not a plain lower-case name (letters, digits, _)`,
        );
      }
      const started = Date.now();
      const result = await restoreDatabase({
        adminUrl: config.DATABASE_ADMIN_URL,
        archive: resolve(file),
        database: options.database,
      }).catch(asCommandError);
      process.stdout.write(
        `Restored ${file} into ${result.database} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
          (result.verifiedTables === null
            ? `NOT verified (no ${manifestPathOf(file)})\n`
            : `${result.verifiedTables} tables match the backup's row counts and checksums\n`),
      );
    });
}

function asCommandError(error: unknown): never {
  if (error instanceof BackupError) throw new CommandError(error.message);
  throw error;
}

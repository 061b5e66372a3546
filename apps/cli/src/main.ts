import '@schoolbench/config/require-supported-runtime';
import 'reflect-metadata';

import { Command, CommanderError } from 'commander';

import { CommandError } from './cli-context';
import { registerBackupCommands } from './commands/backup.command';
import { registerCoverageCommand } from './commands/coverage.command';
import { registerDatabaseCommands } from './commands/database.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerExitCommands } from './commands/exit.command';
import { registerExportCommand } from './commands/export.command';
import { registerImportCommand, registerValidateCommand } from './commands/import.command';
import { registerSimilarCommand } from './commands/similar.command';
import { registerTenancyCommands } from './commands/tenancy.command';

/** The operators' command line: `npm run cli -- <command> --help`. */
export function buildProgram(): Command {
  const program = new Command('schoolbench')
    .description('SchoolBench operator commands')
    .showHelpAfterError()
    .exitOverride();
  registerDatabaseCommands(program);
  registerBackupCommands(program);
  registerTenancyCommands(program);
  registerExitCommands(program);
  registerExportCommand(program);
  registerImportCommand(program);
  registerValidateCommand(program);
  registerCoverageCommand(program);
  registerDemoCommand(program);
  registerSimilarCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandError) {
      process.stderr.write(`Error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

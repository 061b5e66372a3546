import type { Command } from 'commander';
import { Client } from 'pg';

import { loadAppConfig, redactUrl } from '@schoolbench/config';
import {
  createCitusDatabase,
  createDatabase,
  ensureRoles,
  moveShards,
  OWNER_ROLE,
  runMigrations,
  SHARD_TRANSFER_MODES,
  ShardMoveRefused,
  withDatabase,
  type ShardTransferMode,
} from '@schoolbench/database';

import { CommandError } from '../cli-context';

/**
 * Creates the roles and the database (needs a superuser URL in DATABASE_ADMIN_URL). With
 * DATABASE_DISTRIBUTION=citus, on every node of the cluster whose coordinator the URL names.
 */
export async function provisionDatabase(): Promise<string> {
  const config = loadAppConfig();
  const name = new URL(config.DATABASE_URL).pathname.slice(1);
  await ensureRoles(config.DATABASE_ADMIN_URL, config.DATABASE_DISTRIBUTION);
  if (config.DATABASE_DISTRIBUTION === 'citus') {
    await createCitusDatabase(config.DATABASE_ADMIN_URL, name, OWNER_ROLE);
  } else {
    await createDatabase(config.DATABASE_ADMIN_URL, name);
  }
  return name;
}

export async function migrate(): Promise<string[]> {
  const config = loadAppConfig();
  return runMigrations(
    config.DATABASE_OWNER_URL,
    config.DATABASE_DISTRIBUTION,
    config.DATABASE_ADMIN_URL,
  );
}

/**
 * Refreshes the planner's statistics after a bulk load. Autovacuum would get there, but until it
 * does the first requests are planned as if the freshly loaded tables were empty. As the owner:
 * the app role may not ANALYZE, and ANALYZE samples every tenant's rows whatever their policies.
 */
export async function analyzeDatabase(): Promise<void> {
  const client = new Client({ connectionString: loadAppConfig().DATABASE_OWNER_URL });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/**
 * Spreads the shards over the workers after one was added, or moves them off one before it is
 * removed (`--drain host:port`), then restores what Citus' copies lose (docs/scaling.md §9.8).
 */
export async function rebalanceShards(opts: { drain?: string; transferMode: string }) {
  const config = loadAppConfig();
  if (config.DATABASE_DISTRIBUTION !== 'citus') {
    throw new CommandError(
      'db:rebalance moves Citus shards: set DATABASE_DISTRIBUTION=citus (this database is single-node)',
    );
  }
  if (!(SHARD_TRANSFER_MODES as readonly string[]).includes(opts.transferMode)) {
    throw new CommandError(
      `--transfer-mode "${opts.transferMode}" is not one of ${SHARD_TRANSFER_MODES.join(', ')}`,
    );
  }
  let drain: { host: string; port: number } | undefined;
  if (opts.drain !== undefined) {
    const match = /^([^\s:]+):(\d{1,5})$/.exec(opts.drain);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new CommandError(
        `--drain "${opts.drain}" is not a worker's host:port (e.g. 10.0.0.7:5432)`,
      );
    }
    drain = { host: match[1], port: Number(match[2]) };
  }
  const name = new URL(config.DATABASE_URL).pathname.slice(1);
  try {
    return await moveShards(withDatabase(config.DATABASE_ADMIN_URL, name), {
      transferMode: opts.transferMode as ShardTransferMode,
      drain,
      onProgress: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof ShardMoveRefused) {
      throw new CommandError(error.message);
    }
    throw error;
  }
}

export function registerDatabaseCommands(program: Command): void {
  program
    .command('db:provision')
    .description('Create the owner and app roles and the database (as DATABASE_ADMIN_URL)')
    .action(async () => {
      const name = await provisionDatabase();
      process.stdout.write(
        `Database ${name} ready at ${redactUrl(loadAppConfig().DATABASE_URL)}\n`,
      );
    });

  program
    .command('migrate')
    .description('Apply pending migrations as the owner role (DATABASE_OWNER_URL)')
    .action(async () => {
      const applied = await migrate();
      process.stdout.write(
        applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations\n',
      );
    });

  program
    .command('db:rebalance')
    .description(
      'Citus: spread the shards over the workers after adding one, or move them off one before removing it (--drain); restores the restrictive policies afterwards',
    )
    .option('--drain <host:port>', 'move every shard off this worker instead of rebalancing')
    .option(
      '--transfer-mode <mode>',
      `how shards are copied: ${SHARD_TRANSFER_MODES.join(', ')} (the others need wal_level = logical)`,
      'block_writes',
    )
    .action(async (opts: { drain?: string; transferMode: string }) => {
      const report = await rebalanceShards(opts);
      const spread = (placements: Record<string, number>) =>
        Object.entries(placements)
          .map(([node, n]) => `${node} ${n}`)
          .join(', ') || 'none';
      process.stdout.write(
        `Shard placements before: ${spread(report.before)}\n` +
          `Shard placements after:  ${spread(report.after)}\n` +
          `Restrictive policies restored on every placement: ${report.policiesRestored} (${report.seconds.toFixed(1)} s)\n`,
      );
    });
}

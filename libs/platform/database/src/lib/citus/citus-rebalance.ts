import { Client } from 'pg';

import { OWNER_ROLE } from '../database-roles';
import { restoreRestrictivePolicies } from './citus-policies';

/** How Citus copies a shard: `block_writes` needs nothing more; the others logical replication. */
export const SHARD_TRANSFER_MODES = ['block_writes', 'auto', 'force_logical'] as const;
export type ShardTransferMode = (typeof SHARD_TRANSFER_MODES)[number];

/** The request names no distributed database or no worker of it: nothing was changed. */
export class ShardMoveRefused extends Error {}

export interface ShardMoveOptions {
  transferMode?: ShardTransferMode;
  /** Move every shard off this worker (before removing it) instead of rebalancing. */
  drain?: { host: string; port: number };
  /** Progress while Citus moves shards (a line every few seconds). */
  onProgress?: (line: string) => void;
}

export interface ShardMoveReport {
  /** Shard placements per worker (`host:port`), before and after. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** Restrictive policies re-created on every placement afterwards. */
  policiesRestored: number;
  seconds: number;
}

/**
 * Moves shards across the cluster that `databaseAdminUrl` (a superuser URL naming the
 * distributed database on the coordinator) belongs to: `citus_rebalance_start` after a worker was
 * added, or `citus_drain_node` before one is removed (docs/scaling.md §9.8). Two things Citus does
 * not do for SchoolBench are done around the moves:
 * - Citus copies a shard as the table's owner, so forced row-level security applies to the copy
 *   and its foreign-key checks ("tenant context is not set"): the owner may bypass RLS only while
 *   shards move, and never after, whatever fails.
 * - A moved placement gets Citus' copy of the policies, restrictive ones made permissive
 *   (§9.4, point 5): they are restored on every placement afterwards.
 */
export async function moveShards(
  databaseAdminUrl: string,
  options: ShardMoveOptions = {},
): Promise<ShardMoveReport> {
  const mode = options.transferMode ?? 'block_writes';
  const started = Date.now();
  const db = new Client({ connectionString: databaseAdminUrl });
  await db.connect();
  try {
    const citus = await db.query("select 1 from pg_extension where extname = 'citus'");
    if (!citus.rowCount) {
      throw new ShardMoveRefused(
        `The database ${new URL(databaseAdminUrl).pathname.slice(1)} is not distributed (no citus extension): nothing to move`,
      );
    }
    if (options.drain) {
      const node = await db.query(
        'select 1 from pg_dist_node where nodename = $1 and nodeport = $2 and groupid > 0',
        [options.drain.host, options.drain.port],
      );
      if (!node.rowCount) {
        throw new ShardMoveRefused(
          `${options.drain.host}:${options.drain.port} is not a worker of this cluster (pg_dist_node)`,
        );
      }
    }
    const before = await placementsPerWorker(db);
    await db.query(`ALTER ROLE ${OWNER_ROLE} BYPASSRLS`);
    try {
      if (options.drain) {
        await db.query(
          'select citus_drain_node($1, $2, shard_transfer_mode => $3::citus.shard_transfer_mode)',
          [options.drain.host, options.drain.port, mode],
        );
      } else {
        const [{ job }] = (
          await db.query<{ job: string | null }>(
            'select citus_rebalance_start(shard_transfer_mode => $1::citus.shard_transfer_mode) as job',
            [mode],
          )
        ).rows;
        if (job) await waitForRebalance(databaseAdminUrl, db, job, options.onProgress);
      }
    } finally {
      // Citus propagates ALTER ROLE to every worker.
      await db.query(`ALTER ROLE ${OWNER_ROLE} NOBYPASSRLS`);
    }
    const policiesRestored = await restoreRestrictivePolicies(db);
    return {
      before,
      after: await placementsPerWorker(db),
      policiesRestored,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await db.end();
  }
}

async function placementsPerWorker(db: Client): Promise<Record<string, number>> {
  const rows = (
    await db.query<{ node: string; n: number }>(
      `select nodename || ':' || nodeport as node, count(*)::int as n from citus_shards
       where citus_table_type = 'distributed' group by 1 order by 1`,
    )
  ).rows;
  return Object.fromEntries(rows.map((r) => [r.node, r.n]));
}

/** `citus_rebalance_wait()`, reporting the job's task counts from a second connection meanwhile. */
async function waitForRebalance(
  url: string,
  db: Client,
  job: string,
  onProgress?: (line: string) => void,
): Promise<void> {
  const watcher = onProgress ? new Client({ connectionString: url }) : undefined;
  await watcher?.connect();
  const report = async () => {
    const [status] = (
      await watcher!.query<{ state: string; counts: Record<string, number> | null }>(
        `select state, details -> 'task_state_counts' as counts
         from citus_rebalance_status() where job_id = $1`,
        [job],
      )
    ).rows;
    if (!status) return;
    const counts = Object.entries(status.counts ?? {})
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    onProgress!(`rebalance job ${job}: ${status.state}${counts ? ` (${counts})` : ''}`);
  };
  const timer = watcher ? setInterval(() => void report().catch(() => undefined), 5000) : undefined;
  try {
    await db.query('select citus_rebalance_wait()');
    const [{ state }] = (
      await db.query<{ state: string }>(
        'select state from citus_rebalance_status() where job_id = $1',
        [job],
      )
    ).rows;
    if (state !== 'finished') {
      throw new Error(`The rebalance job ${job} ended ${state}: see citus_rebalance_status()`);
    }
  } finally {
    if (timer) clearInterval(timer);
    await watcher?.end();
  }
}

import { OWNER_ROLE } from '@schoolbench/database';
import { createTestDatabase, seedTenant, type TestDatabase } from '@schoolbench/testing';

import { runCliCapturing } from '../e2e/support/cli-in-process';

/**
 * `db:rebalance` on the cluster (docs/scaling.md §9.8): shards moved by Citus come back with their
 * restrictive policies made permissive (a security hole: a stale run's benchmarks served again);
 * the command moves shards, restores the policies on every placement and leaves the owner unable
 * to bypass row-level security. Bad options change nothing.
 */
describe('db:rebalance on Citus', () => {
  let db: TestDatabase;
  let output = '';
  const cli = async (...args: string[]) => {
    const run = await runCliCapturing(args);
    output = run.output;
    return run.code;
  };

  /** Each placement of the table: its node and its policies as `name:permissive`. */
  async function placementPolicies(table: string) {
    return db.query<{ node: string; shard: string; policies: string }>(
      `select nodename || ':' || nodeport as node, shardid::text as shard, result as policies
       from run_command_on_placements($1, $$
         select string_agg(polname || ':' || polpermissive, ',' order by polname)
         from pg_policy where polrelid = '%1$s'::regclass$$)
       order by shardid, nodeport`,
      [table],
    );
  }

  async function coordinatorPolicies(table: string): Promise<string> {
    const [row] = await db.query<{ policies: string }>(
      `select string_agg(polname || ':' || polpermissive, ',' order by polname) as policies
       from pg_policy where polrelid = $1::regclass`,
      [table],
    );
    return row.policies;
  }

  async function placementsPerWorker(): Promise<Record<string, number>> {
    const rows = await db.query<{ node: string; n: number }>(
      `select nodename || ':' || nodeport as node, count(*)::int as n from citus_shards
       where citus_table_type = 'distributed' group by 1 order by 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.node, r.n]));
  }

  async function ownerBypassesRls(): Promise<boolean> {
    const [row] = await db.query<{ bypass: boolean }>(
      'select rolbypassrls as bypass from pg_roles where rolname = $1',
      [OWNER_ROLE],
    );
    return row.bypass;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    for (const la of ['201', '202', '203', '204']) {
      const tenant = await seedTenant(db, { laCode: la, name: `LA ${la}`, roles: [] });
      await db.query(
        `insert into schools (tenant_id, urn, name)
         select $1, $2::int * 1000 + g, 'School ' || g from generate_series(1, 50) g`,
        [tenant.id, la],
      );
    }
  });

  afterAll(async () => {
    await db.query(`ALTER ROLE ${OWNER_ROLE} NOBYPASSRLS`).catch(() => undefined);
    await db?.drop();
  });

  it('refuses bad options with a clear message and moves nothing', async () => {
    const before = await placementsPerWorker();
    expect(await cli('db:rebalance', '--drain', 'no-port')).toBe(2);
    expect(output).toMatch(/--drain "no-port" is not a worker's host:port/);
    expect(await cli('db:rebalance', '--drain', '127.0.0.1:9')).toBe(2);
    expect(output).toMatch(/127\.0\.0\.1:9 is not a worker of this cluster/);
    expect(await cli('db:rebalance', '--transfer-mode', 'fast')).toBe(2);
    expect(output).toMatch(
      /--transfer-mode "fast" is not one of block_writes, auto, force_logical/,
    );
    expect(await placementsPerWorker()).toEqual(before);
    expect(await ownerBypassesRls()).toBe(false);
  });

  it('moves shards back into balance and restores the restrictive policies Citus copied as permissive', async () => {
    const expected = await coordinatorPolicies('comparison_benchmarks');
    expect(expected).toMatch(/run_not_stale:false/);
    const [{ total: rowsBefore }] = await db.query<{ total: string }>(
      'select count(*)::text as total from schools',
    );

    // Unbalance the cluster by hand, as a worker added or lost would: one shard group moves.
    const [moving] = await placementPolicies('comparison_benchmarks');
    const nodes = Object.keys(await placementsPerWorker());
    const target = nodes.find((n) => n !== moving.node)!;
    const [fromHost, fromPort] = moving.node.split(':');
    const [toHost, toPort] = target.split(':');
    await db.query(`ALTER ROLE ${OWNER_ROLE} BYPASSRLS`);
    try {
      await db.query(
        `select citus_move_shard_placement($1::bigint, $2, $3::int, $4, $5::int,
                                           shard_transfer_mode => 'block_writes')`,
        [moving.shard, fromHost, fromPort, toHost, toPort],
      );
    } finally {
      await db.query(`ALTER ROLE ${OWNER_ROLE} NOBYPASSRLS`);
    }
    const moved = (await placementPolicies('comparison_benchmarks')).find(
      (p) => p.shard === moving.shard,
    )!;
    // What Citus does to a moved placement: the restrictive policy is now permissive.
    expect({ node: moved.node, policies: moved.policies }).toEqual({
      node: target,
      policies: expected.replace('run_not_stale:false', 'run_not_stale:true'),
    });
    const unbalanced = await placementsPerWorker();
    expect(new Set(Object.values(unbalanced)).size).toBe(2);

    expect(await cli('db:rebalance')).toBe(0);
    expect(output).not.toMatch(/Error/);
    expect(output).toMatch(
      /Shard placements after: {2}.*\nRestrictive policies restored on every placement: [1-9]\d*/,
    );

    const balanced = await placementsPerWorker();
    expect(new Set(Object.values(balanced)).size).toBe(1);
    const distributed = await db.query<{ name: string }>(
      "select table_name::text as name from citus_tables where citus_table_type = 'distributed'",
    );
    for (const { name } of distributed) {
      const want = await coordinatorPolicies(name);
      const placements = await placementPolicies(name);
      expect({ name, policies: [...new Set(placements.map((p) => p.policies))] }).toEqual({
        name,
        policies: [want],
      });
    }
    expect(await ownerBypassesRls()).toBe(false);
    const [{ total: rowsAfter }] = await db.query<{ total: string }>(
      'select count(*)::text as total from schools',
    );
    expect(rowsAfter).toBe(rowsBefore);
  });
});

import { Client } from 'pg';

import { restoreRestrictivePolicies } from './citus/citus-policies';
import { CITUS_SHARING_REFERENCE_TABLES, prepareSharingForCitus } from './citus/citus-sharing';
import { APP_ROLE } from './database-roles';

/**
 * Where the schema lives: one PostgreSQL (the default) or a Citus cluster whose coordinator the
 * database URLs name (docs/scaling.md). Read from DATABASE_DISTRIBUTION.
 */
export type DatabaseDistribution = 'single-node' | 'citus';

export function databaseDistribution(
  env: Record<string, string | undefined> = process.env,
): DatabaseDistribution {
  const value = env.DATABASE_DISTRIBUTION ?? 'single-node';
  if (value !== 'single-node' && value !== 'citus') {
    throw new Error(`DATABASE_DISTRIBUTION must be "single-node" or "citus", not "${value}"`);
  }
  return value;
}

/**
 * Shards per distributed table when the schema is first distributed (later tables co-locate with
 * `schools` and take its count). 32 by default, as Citus advises for multi-tenant use. Fewer
 * shards put more tenants on one shard, which changes which reads stay on one node: with 4 a
 * comparison job failed now and then (docs/scaling.md §9.3). Read from CITUS_SHARD_COUNT.
 */
export function citusShardCount(env: Record<string, string | undefined> = process.env): number {
  const value = env.CITUS_SHARD_COUNT ?? '32';
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 1024) {
    throw new Error(`CITUS_SHARD_COUNT must be a whole number from 1 to 1024, not "${value}"`);
  }
  return count;
}

/**
 * Platform tables every node needs whole: one shard copied to every node (writes are two-phase
 * commits). `tenants` is read by every policy through `app_public_tenant()`; the compiled grants
 * are read by the grant policies of every tenant's shards, for the grantee's tenant, so they
 * cannot live on the owner's shard only; `api_key_directory` is keyed by prefix alone.
 */
export const CITUS_REFERENCE_TABLES = [
  'tenants',
  'retention_runs',
  'api_key_directory',
  'sharing_grants',
  'sharing_reach',
  ...CITUS_SHARING_REFERENCE_TABLES,
] as const;

/** Never distributed: TypeORM's bookkeeping, read and written only by the migration runner. */
const LOCAL_TABLES = new Set(['schema_migrations']);

/**
 * The grant policies of the single-node schema, in a form Citus accepts. Citus refuses a policy
 * on a distributed table whose expression contains a subquery (`ErrorIfUnsupportedPolicyExpr`,
 * commands/policy.c). The single-node policies use scalar subqueries as init plans (computed once
 * per query) and EXISTS subqueries; here each becomes a call of a STABLE function with the same
 * body, evaluated on the shard. Those functions read other Citus tables from inside a shard
 * query, which Citus allows only with `citus.allow_nested_distributed_execution` (set for the app
 * role by `ensureRoles`), see docs/scaling.md §9 for what that costs and why it is correct here.
 */
const CITUS_POLICY_FUNCTIONS = `
  CREATE OR REPLACE FUNCTION app_named_grant_admits(p_owner uuid, p_urn integer, p_measure text,
                                                    p_period integer, p_denominator double precision)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM sharing_reach r
            JOIN sharing_grants g ON g.tenant_id = r.tenant_id AND g.protocol_id = r.protocol_id
                                 AND g.grantee_tenant_id = r.grantee_tenant_id
            WHERE r.tenant_id = p_owner AND r.urn = p_urn
              AND r.grantee_tenant_id = app_current_tenant() AND r.disclosure = 'named'
              AND current_date BETWEEN r.valid_from AND r.valid_to
              AND g.measure = p_measure
              AND p_period BETWEEN g.period_from AND g.period_to
              AND (p_denominator IS NULL OR p_denominator >= g.small_cohort_threshold))
  $fn$;

  CREATE OR REPLACE FUNCTION app_party_to_protocol(p_owner uuid, p_protocol uuid)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM protocols p WHERE p.tenant_id = p_owner AND p.id = p_protocol
                   AND app_current_tenant() = ANY (p.parties))
  $fn$;

  CREATE OR REPLACE FUNCTION app_granted_by(p_owner uuid, p_protocol uuid)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM sharing_grants g WHERE g.tenant_id = p_owner
                   AND g.grantee_tenant_id = app_current_tenant() AND g.protocol_id = p_protocol)
  $fn$;

  CREATE OR REPLACE FUNCTION app_record_shared(p_category text, p_owner uuid, p_urn integer,
                                                p_period integer)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM shared_record_reach(p_category) s
            WHERE s.tenant_id = p_owner AND (p_urn IS NULL OR s.urn = p_urn)
              AND (p_period IS NULL OR p_period BETWEEN s.period_from AND s.period_to))
  $fn$;

  CREATE OR REPLACE FUNCTION app_in_reach_of(p_owner uuid, p_protocol uuid)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM sharing_reach r WHERE r.tenant_id = p_owner
                   AND r.grantee_tenant_id = app_current_tenant() AND r.protocol_id = p_protocol)
  $fn$;

  CREATE OR REPLACE FUNCTION app_run_served(p_tenant uuid, p_run uuid)
  RETURNS boolean LANGUAGE sql STABLE AS $fn$
    SELECT NOT EXISTS (SELECT 1 FROM comparison_runs r WHERE r.tenant_id = p_tenant AND r.id = p_run
                       AND (r.stale OR app_run_lost_grant(r.tenant_id, r.dataset_versions)))
  $fn$;
`;

/** [table, policy, USING, WITH CHECK]: the Citus form of each policy with a subquery. */
const CITUS_POLICIES: [string, string, string | null, string | null][] = [
  [
    'schools',
    'via_protocol_grant',
    `tenant_id <> app_current_tenant() AND tenant_id IS DISTINCT FROM app_public_tenant()
     AND app_named_reach(tenant_id, urn)`,
    null,
  ],
  [
    'observations',
    'via_protocol_grant',
    `tenant_id <> app_current_tenant() AND tenant_id IS DISTINCT FROM app_public_tenant()
     AND app_named_grant_admits(tenant_id, urn, measure, time_period, denominator)`,
    null,
  ],
  [
    'comparison_groups',
    'neighbour_still_shared',
    `neighbour_tenant_id = tenant_id OR neighbour_tenant_id = app_public_tenant()
     OR app_named_reach(neighbour_tenant_id, neighbour_urn)`,
    null,
  ],
  [
    'comparison_groups',
    'tenant_isolation',
    'tenant_id = app_current_tenant()',
    'tenant_id = app_current_tenant()',
  ],
  [
    'comparison_benchmarks',
    'tenant_isolation',
    'tenant_id = app_current_tenant()',
    'tenant_id = app_current_tenant()',
  ],
  ['comparison_benchmarks', 'run_not_stale', 'app_run_served(tenant_id, run_id)', null],
  // Evaluated once per statement on one node (1765700000500); per row here.
  ...['schools', 'datasets', 'observations'].flatMap(
    (table): [string, string, string | null, string | null][] => [
      [
        table,
        'tenant_isolation',
        'tenant_id = app_current_tenant()',
        'tenant_id = app_current_tenant()',
      ],
      [table, 'public_reference_read', 'tenant_id = app_public_tenant()', null],
    ],
  ),
  ['protocol_signatures', 'party_read', 'app_party_to_protocol(tenant_id, protocol_id)', null],
  ['protocol_events', 'party_read', 'app_party_to_protocol(tenant_id, protocol_id)', null],
  [
    'protocol_opt_outs',
    'party_only',
    null,
    'app_party_to_protocol(protocol_owner_id, protocol_id)',
  ],
  [
    'target_events',
    'via_protocol_grant',
    `tenant_id <> app_current_tenant() AND tenant_id IS DISTINCT FROM app_public_tenant()
     AND app_record_shared('targets', tenant_id, urn, time_period)`,
    null,
  ],
  [
    'school_judgements',
    'via_protocol_grant',
    `tenant_id <> app_current_tenant() AND tenant_id IS DISTINCT FROM app_public_tenant()
     AND app_record_shared('judgements', tenant_id, urn, NULL)`,
    null,
  ],
  [
    'access_log',
    'reader_writes_records',
    null,
    'reader_tenant_id = app_current_tenant() AND app_in_reach_of(tenant_id, protocol_id)',
  ],
  [
    'access_log',
    'reader_writes',
    null,
    'reader_tenant_id = app_current_tenant() AND app_granted_by(tenant_id, protocol_id)',
  ],
];

export interface DistributionReport {
  reference: string[];
  distributed: string[];
  local: string[];
  shardCount: number;
}

async function connected<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Distributes the migrated schema over the Citus cluster the owner URL's database is on:
 * platform tables become reference tables, every tenant-owned table is hash-distributed on
 * `tenant_id` and co-located with `schools`, `schema_migrations` stays local. Run after the
 * migrations as a superuser on that database: the owner is bound by forced row-level security,
 * so as the owner Citus would copy only the rows visible to it (and the grant tables' index scans
 * raise for want of a tenant). Idempotent, so `migrate` runs it after every migration batch and
 * tables a later migration adds are distributed too.
 */
export async function distributeSchema(
  databaseAdminUrl: string,
  options: { shardCount?: number } = {},
): Promise<DistributionReport> {
  const shardCount = options.shardCount ?? 32;
  return connected(databaseAdminUrl, async (db) => {
    const citus = await db.query("select 1 from pg_extension where extname = 'citus'");
    if (!citus.rowCount) {
      throw new Error(
        `DATABASE_DISTRIBUTION=citus but the database ${new URL(databaseAdminUrl).pathname.slice(1)} has no citus ` +
          'extension: create it on the coordinator and every worker and register the workers ' +
          '(../shared/citus/cluster.sh createdb NAME does both)',
      );
    }
    const workers = await db.query<{ n: string }>(
      'select count(*) as n from pg_dist_node where groupid > 0 and isactive',
    );
    if (Number(workers.rows[0].n) === 0) {
      throw new Error('DATABASE_DISTRIBUTION=citus but no worker is registered (citus_add_node)');
    }
    const done = new Map(
      (
        await db.query<{ name: string; kind: string }>(
          'select logicalrelid::regclass::text as name, partmethod as kind from pg_dist_partition',
        )
      ).rows.map((r) => [r.name, r.kind]),
    );
    const tables = (
      await db.query<{ name: string; tenant_owned: boolean }>(`
        select c.relname as name,
               exists (select 1 from pg_attribute a where a.attrelid = c.oid
                       and a.attname = 'tenant_id' and not a.attisdropped) as tenant_owned
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`)
    ).rows;
    const edges = (
      await db.query<{ child: string; parent: string }>(`
        select conrelid::regclass::text as child, confrelid::regclass::text as parent
        from pg_constraint where contype = 'f' and conrelid <> confrelid
          and connamespace = 'public'::regnamespace`)
    ).rows;

    const reference = tables
      .map((t) => t.name)
      .filter((name) => (CITUS_REFERENCE_TABLES as readonly string[]).includes(name));
    const unplaced = tables.filter(
      (t) => !t.tenant_owned && !reference.includes(t.name) && !LOCAL_TABLES.has(t.name),
    );
    if (unplaced.length) {
      throw new Error(
        `No Citus placement decided for ${unplaced.map((t) => t.name).join(', ')}: a table ` +
          'without tenant_id must be listed in CITUS_REFERENCE_TABLES (citus-distribution.ts)',
      );
    }
    const distributed = orderByForeignKeys(
      tables
        .filter((t) => t.tenant_owned && !reference.includes(t.name))
        .map((t) => t.name)
        .sort((a, b) => (a === 'schools' ? -1 : b === 'schools' ? 1 : 0)),
      edges,
    );

    // A reference table cannot reference a distributed one. The directory row of a key goes
    // with its user in users.service (the cascade did it on one node).
    await db.query(
      'ALTER TABLE api_key_directory DROP CONSTRAINT IF EXISTS api_key_directory_tenant_id_prefix_fkey',
    );
    await prepareSharingForCitus(db);
    await db.query(CITUS_POLICY_FUNCTIONS);
    for (const [table, policy, using, check] of CITUS_POLICIES) {
      if (!tables.some((t) => t.name === table)) continue;
      const clauses = [using && `USING (${using})`, check && `WITH CHECK (${check})`]
        .filter(Boolean)
        .join(' ');
      await db.query(`ALTER POLICY ${policy} ON ${table} ${clauses}`);
    }
    await rewriteSqlFunctionsAsPlpgsql(db);
    await patchFunctionsForCitus(db);
    // Functions used by policies and the definer functions must exist on every node, where the
    // shards' policies run and where the nested reads go. Those whose signature names a table's
    // row type can only follow that table; the policies' own functions name none.
    const distributeFunctions = async (tolerateTableDependencies: boolean) => {
      const functions = (
        await db.query<{ signature: string }>(`
          select p.oid::regprocedure::text as signature from pg_proc p
          where p.pronamespace = 'public'::regnamespace
            and not exists (select 1 from pg_dist_object o
                            where o.classid = 'pg_proc'::regclass and o.objid = p.oid)`)
      ).rows;
      for (const f of functions) {
        try {
          await db.query('select create_distributed_function($1)', [f.signature]);
        } catch (error) {
          if (!tolerateTableDependencies || !/not in Citus' metadata/.test(String(error))) {
            throw error;
          }
        }
      }
    };
    await distributeFunctions(true);

    // Citus refuses a foreign key between a Citus table and a local one, in either direction, so
    // none can stay while the tables change kind one by one: they are dropped and added back
    // once every table is placed (then checked shard by shard, co-located).
    const foreignKeys = (
      await db.query<{ table: string; name: string; definition: string }>(`
        select conrelid::regclass::text as table, conname as name,
               pg_get_constraintdef(oid) as definition
        from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace
          and not exists (select 1 from pg_dist_partition p where p.logicalrelid = conrelid)
        order by conrelid::regclass::text, conname`)
    ).rows;
    for (const fk of foreignKeys) {
      await db.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
    }
    await db.query(`SET citus.shard_count = ${Number(shardCount)}`);
    for (const table of reference) {
      if (!done.has(table)) await db.query('select create_reference_table($1)', [table]);
    }
    for (const table of distributed) {
      if (done.has(table)) continue;
      await db.query(
        table === 'schools'
          ? "select create_distributed_table($1, 'tenant_id')"
          : "select create_distributed_table($1, 'tenant_id', colocate_with => 'schools')",
        [table],
      );
    }
    for (const fk of foreignKeys) {
      // Citus refuses ON DELETE SET NULL on a key that includes the distribution column, even
      // for a column list that leaves tenant_id alone. Without it, removing a user who uploaded
      // a dataset, requested a run or changed benchmark settings is refused on Citus (the app
      // role may not clear those columns itself): docs/scaling.md §9.
      const definition = fk.definition.replace(/ ON DELETE SET NULL \([a-z_, ]+\)$/, '');
      try {
        await db.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${definition}`);
      } catch (error) {
        const detail = (error as { detail?: string }).detail;
        throw new Error(
          `Citus refused ${fk.table}.${fk.name} ${fk.definition}: ${String(error)}${detail ? ` (${detail})` : ''}`,
        );
      }
    }
    await distributeFunctions(false);
    await restoreRestrictivePolicies(db);
    return {
      reference,
      distributed,
      local: tables.filter((t) => LOCAL_TABLES.has(t.name)).map((t) => t.name),
      shardCount,
    };
  });
}

/**
 * Citus cannot plan a query on its tables inside a non-inlined SQL function with parameters
 * ("could not create distributed plan … parameters in SQL functions, which is not supported in
 * Citus. Consider using PL/pgSQL functions instead"). Every STABLE or VOLATILE SQL function of
 * the schema becomes the same query in PL/pgSQL, with the same signature, owner, volatility,
 * security and search_path (pg_get_functiondef keeps them); a plan of its own per call also keeps
 * the policy functions from being inlined into shard queries.
 */
async function rewriteSqlFunctionsAsPlpgsql(db: Client): Promise<void> {
  const functions = (
    await db.query<{ definition: string; body: string; returns_set: boolean }>(`
      select pg_get_functiondef(p.oid) as definition, p.prosrc as body, p.proretset as returns_set
      from pg_proc p
      where p.pronamespace = 'public'::regnamespace and p.provolatile <> 'i'
        and p.prolang = (select oid from pg_language where lanname = 'sql')`)
  ).rows;
  for (const f of functions) {
    const query = f.body.trim().replace(/;\s*$/, '');
    const body = f.returns_set
      ? `#variable_conflict use_column\nBEGIN\nRETURN QUERY ${query}\n;\nEND`
      : `#variable_conflict use_column\nBEGIN\nRETURN (${query}\n);\nEND`;
    const start = f.definition.indexOf('AS $function$');
    if (start < 0 || !/\n LANGUAGE sql\n/.test(f.definition)) {
      throw new Error(`Unexpected function definition: ${f.definition.slice(0, 200)}`);
    }
    const header = f.definition
      .slice(0, start)
      .replace(/\n LANGUAGE sql\n/, '\n LANGUAGE plpgsql\n');
    await db.query(`${header}AS $citus$\n${body}\n$citus$`);
  }
}

/**
 * Statements of definer functions that Citus refuses as written, and their Citus form: [function,
 * what, replacement]. Citus evaluates STABLE functions of an UPDATE on the coordinator and refuses
 * them with column arguments ("STABLE functions used in UPDATE queries cannot be called with
 * column references"); jsonb_build_object is STABLE, the text cast to jsonb is immutable.
 */
const CITUS_FUNCTION_PATCHES: [string, string, string][] = [
  [
    'sharing_settle_protocol',
    `    UPDATE comparison_runs r SET stale = true
    FROM (
      SELECT g.tenant_id AS owner, g.grantee_tenant_id AS grantee FROM sharing_grants g
      WHERE g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol
        AND NOT EXISTS (SELECT 1 FROM sharing_grant_plan(p_owner, p_protocol) n
                        WHERE n.tenant_id = g.tenant_id AND n.grantee_tenant_id = g.grantee_tenant_id
                          AND n.measure = g.measure AND n.disclosure = g.disclosure
                          AND n.period_from <= g.period_from AND n.period_to >= g.period_to
                          AND n.valid_to >= least(g.valid_to, current_date))
      UNION
      SELECT x.tenant_id, x.grantee_tenant_id FROM sharing_reach x
      WHERE x.protocol_owner_id = p_owner AND x.protocol_id = p_protocol
        AND NOT EXISTS (SELECT 1 FROM sharing_reach_plan(p_owner, p_protocol) n
                        WHERE n.tenant_id = x.tenant_id AND n.grantee_tenant_id = x.grantee_tenant_id
                          AND n.urn = x.urn AND n.disclosure = x.disclosure)
    ) lost
    WHERE r.tenant_id = lost.grantee AND NOT r.stale
      AND r.dataset_versions @> jsonb_build_array(jsonb_build_object('tenantId', lost.owner))
      AND coalesce(r.finished_at, 'infinity') >= in_force_since;`,
    // The same set, row by row: each grant or reach row compared with the plan as parameters (a
    // correlated subquery over a set-returning function is refused by Citus), then one routed
    // UPDATE per lost (owner, grantee) pair. jsonb_build_object is STABLE and Citus refuses STABLE
    // functions of columns in an UPDATE; the text cast to jsonb is immutable.
    `    DECLARE
      lg record;
      lost_pairs text[] := '{}';
      pair text;
    BEGIN
      FOR lg IN SELECT g.* FROM sharing_grants g
                WHERE g.protocol_owner_id = p_owner AND g.protocol_id = p_protocol LOOP
        IF NOT EXISTS (SELECT 1 FROM sharing_grant_plan(p_owner, p_protocol) n
                       WHERE n.tenant_id = lg.tenant_id AND n.grantee_tenant_id = lg.grantee_tenant_id
                         AND n.measure = lg.measure AND n.disclosure = lg.disclosure
                         AND n.period_from <= lg.period_from AND n.period_to >= lg.period_to
                         AND n.valid_to >= least(lg.valid_to, current_date)) THEN
          lost_pairs := lost_pairs || (lg.tenant_id::text || '/' || lg.grantee_tenant_id::text);
        END IF;
      END LOOP;
      FOR lg IN SELECT x.* FROM sharing_reach x
                WHERE x.protocol_owner_id = p_owner AND x.protocol_id = p_protocol LOOP
        IF NOT EXISTS (SELECT 1 FROM sharing_reach_plan(p_owner, p_protocol) n
                       WHERE n.tenant_id = lg.tenant_id AND n.grantee_tenant_id = lg.grantee_tenant_id
                         AND n.urn = lg.urn AND n.disclosure = lg.disclosure) THEN
          lost_pairs := lost_pairs || (lg.tenant_id::text || '/' || lg.grantee_tenant_id::text);
        END IF;
      END LOOP;
      FOREACH pair IN ARRAY ARRAY(SELECT DISTINCT unnest(lost_pairs)) LOOP
        UPDATE comparison_runs r SET stale = true
        WHERE r.tenant_id = split_part(pair, '/', 2)::uuid AND NOT r.stale
          AND r.dataset_versions @> ('[{"tenantId": "' || split_part(pair, '/', 1) || '"}]')::jsonb
          AND coalesce(r.finished_at, 'infinity') >= in_force_since;
      END LOOP;
    END;`,
  ],
];

async function patchFunctionsForCitus(db: Client): Promise<void> {
  for (const [name, what, replacement] of CITUS_FUNCTION_PATCHES) {
    const rows = (
      await db.query<{ definition: string }>(
        `select pg_get_functiondef(p.oid) as definition from pg_proc p
         where p.pronamespace = 'public'::regnamespace and p.proname = $1`,
        [name],
      )
    ).rows;
    for (const { definition } of rows) {
      if (definition.includes(replacement)) continue;
      if (!definition.includes(what)) {
        throw new Error(
          `${name} changed: its Citus patch (citus-distribution.ts) no longer applies`,
        );
      }
      await db.query(definition.split(what).join(replacement));
    }
  }
}

/** Parents before children, as create_distributed_table requires. */
function orderByForeignKeys(names: string[], edges: { child: string; parent: string }[]): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const e of edges) if (e.child === name && names.includes(e.parent)) visit(e.parent);
    ordered.push(name);
  };
  names.forEach(visit);
  return ordered;
}

/**
 * Role settings the Citus path needs on every node (Citus propagates ALTER ROLE … SET): the app
 * role's SET LOCAL of the tenant reaches the workers, and the policy functions may read reference
 * and co-located tables from inside a shard query. (`citus.max_adaptive_executor_pool_size = 1`
 * was tried and removed: docs/scaling.md §9.3.)
 */
export const CITUS_APP_ROLE_SETTINGS = [
  `ALTER ROLE ${APP_ROLE} SET citus.propagate_set_commands = 'local'`,
  `ALTER ROLE ${APP_ROLE} SET citus.allow_nested_distributed_execution = on`,
];

/** Every node of the cluster whose coordinator `adminUrl` names, coordinator first. */
export async function citusNodeUrls(adminUrl: string): Promise<string[]> {
  const nodes = await connected(adminUrl, (db) =>
    db.query<{ nodename: string; nodeport: number }>(
      'select nodename, nodeport from pg_dist_node where isactive order by groupid',
    ),
  );
  if (!nodes.rowCount) throw new Error(`No Citus nodes registered at ${new URL(adminUrl).host}`);
  return nodes.rows.map((n) => {
    const u = new URL(adminUrl);
    u.hostname = n.nodename;
    u.port = String(n.nodeport);
    return u.toString();
  });
}

function onDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Refusing unsafe identifier: ${name}`);
  return `"${name}"`;
}

/**
 * A database on every node of the Citus cluster (Citus keeps its node list per database and does
 * not propagate CREATE DATABASE), owned by `owner`. Without a template: the extension on each
 * node and the workers registered in it. With one (a distributed, migrated database of the same
 * cluster): each node copies its own part of the template, so shards, placements and metadata
 * agree; the template first refuses new connections so that Citus' maintenance daemon, which
 * keeps one open to it, lets go (CREATE DATABASE … TEMPLATE needs it unused).
 */
export async function createCitusDatabase(
  adminUrl: string,
  name: string,
  owner: string,
  template?: string,
): Promise<void> {
  const nodes = await citusNodeUrls(adminUrl);
  // Node by node at once: each copies only its own part.
  await Promise.all(
    nodes.map((node) =>
      connected(node, async (db) => {
        if (template) {
          await db.query(`ALTER DATABASE ${identifier(template)} ALLOW_CONNECTIONS false`);
          await db.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [template],
          );
          for (let attempt = 0; ; attempt++) {
            try {
              await db.query(
                `CREATE DATABASE ${identifier(name)} OWNER ${identifier(owner)} TEMPLATE ${identifier(template)}`,
              );
              break;
            } catch (error) {
              // The daemon may still be leaving; it cannot come back.
              if (attempt >= 20 || !/being accessed by other users/.test(String(error)))
                throw error;
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
          }
        } else {
          await db.query(`CREATE DATABASE ${identifier(name)} OWNER ${identifier(owner)}`);
          await connected(onDatabase(node, name), (nodeDb) =>
            nodeDb.query('create extension if not exists citus'),
          );
        }
      }),
    ),
  );
  if (template) return;
  await connected(onDatabase(adminUrl, name), async (db) => {
    const [coordinator, ...workers] = nodes.map((n) => new URL(n));
    await db.query('select citus_set_coordinator_host($1, $2)', [
      coordinator.hostname,
      Number(coordinator.port),
    ]);
    for (const w of workers) {
      await db.query('select citus_add_node($1, $2)', [w.hostname, Number(w.port)]);
    }
  });
}

/** Drops the database on every node of the cluster. */
export async function dropCitusDatabase(adminUrl: string, name: string): Promise<void> {
  await Promise.all(
    (await citusNodeUrls(adminUrl)).map((node) =>
      connected(node, (db) => db.query(`DROP DATABASE IF EXISTS ${identifier(name)} WITH (FORCE)`)),
    ),
  );
}

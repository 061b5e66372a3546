import type { Client } from 'pg';

/** Row count and an order-independent checksum of one table's rows. */
export interface TableFingerprint {
  rows: number;
  checksum: string;
}

/**
 * Fixes how rows print as text, so a checksum taken on one server equals the one taken on a
 * restored copy whatever the session's time zone or date style. Runs in the caller's transaction.
 */
export async function useCanonicalRowText(client: Client): Promise<void> {
  await client.query(`
    SET LOCAL TimeZone = 'UTC';
    SET LOCAL DateStyle = 'ISO, YMD';
    SET LOCAL IntervalStyle = 'iso_8601';
    SET LOCAL extra_float_digits = 3;
    SET LOCAL bytea_output = 'hex'`);
}

/** Every table of the public schema, from the catalog: new tables are covered without edits. */
export async function publicTables(client: Client): Promise<string[]> {
  const result = await client.query<{ relname: string }>(
    `select c.relname from pg_class c
     where c.relkind in ('r', 'p') and c.relnamespace = 'public'::regnamespace
     order by c.relname`,
  );
  return result.rows.map((r) => r.relname);
}

/**
 * Count and checksum of every table, in the caller's snapshot. The checksum is the sum of each
 * row's md5 (first 64 bits), so it streams without sorting and does not depend on row order:
 * cheap enough for tables of millions of rows. Needs a role that sees every row (a superuser).
 */
export async function tableFingerprints(client: Client): Promise<Record<string, TableFingerprint>> {
  const fingerprints: Record<string, TableFingerprint> = {};
  for (const table of await publicTables(client)) {
    const [row] = (
      await client.query<{ rows: string; checksum: string }>(
        `select count(*)::text as rows,
                coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text as checksum
         from ${quoteTable(table)} t`,
      )
    ).rows;
    fingerprints[table] = { rows: Number(row.rows), checksum: row.checksum };
  }
  return fingerprints;
}

function quoteTable(name: string): string {
  return `public."${name.replace(/"/g, '""')}"`;
}

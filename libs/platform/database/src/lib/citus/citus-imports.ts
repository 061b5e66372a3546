/**
 * The import's writes on Citus (docs/scaling.md §9.5). An import writes one tenant's rows, so all
 * of them land in one shard group; Citus still plans an `INSERT … SELECT` whose SELECT reads no
 * distributed table (`unnest`, the import's temporary staging table) "via the coordinator": it
 * runs the SELECT on the coordinator, then either COPYs the rows into the shards or, with
 * `ON CONFLICT` or `RETURNING`, stores them as intermediate results beside the shards and runs an
 * `INSERT … SELECT` there. Two limits follow, each observed on Citus 13.2.2:
 *
 * - the COPY path is refused under forced row-level security ("COPY FROM not supported with
 *   row-level security"), so a plain move out of the staging table must take the second path;
 * - a bind parameter inside `ON CONFLICT … DO UPDATE SET` is not sent with the shard query
 *   ("could not determine data type of parameter $1"): the register upsert takes its values from
 *   `excluded`, on one node too (the same statement serves both).
 */

/**
 * An `INSERT … SELECT` from a local (temporary) table into a distributed table in the form Citus
 * runs under forced RLS: with `RETURNING` (the intermediate-result path, whose shard queries are
 * ordinary INSERTs checked by the policies) and counted in a CTE, so that one row, not one per
 * inserted row, comes back. The answer is `[{ count }]`.
 */
export function citusInsertFromLocalTable(insert: string): string {
  return `with moved as (${insert} returning 1) select count(*) as count from moved`;
}

/**
 * The constraint a Citus error names. An error raised on a worker reaches the client without its
 * constraint field, only in its message and under the shard's name (`observations_pkey_102008`):
 * the name of the constraint on the distributed table, or undefined.
 */
export function citusConstraintName(error: unknown): string | undefined {
  const { message } = error as { message?: unknown };
  if (typeof message !== 'string') return undefined;
  const named = /constraint "([a-z0-9_]+?)_\d+"/.exec(message);
  return named?.[1];
}

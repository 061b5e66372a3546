import type { EntityManager } from 'typeorm';

import type { BenchmarkRow, ComparisonGroups } from '../comparison-computation';

/** Rows per insert: large enough that a round trip is cheap, small enough to build quickly. */
const ROWS_PER_INSERT = 15_000;
/** Inserts handed to the connection at once: one executing, the next queued right behind it. */
const IN_FLIGHT = 2;

interface Insert {
  readonly table: 'groups' | 'benchmarks';
  readonly rows: number;
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * Writes a run's groups and benchmarks inside its open result transaction. Each insert selects
 * from the run's own row joined with the arrays: on Citus that makes it one INSERT … SELECT
 * pushed down to the run's shard (from arrays alone Citus would COPY the rows into the shard,
 * which forced row-level security refuses: docs/scaling.md §9.6); on one node it is one more
 * primary-key lookup per batch. Inserts are built one step ahead of the database: while one
 * batch executes, the next is built and queued on the connection behind it and the caller goes
 * on computing, so the database is rarely idle. Batches reach the connection in order; the first
 * failure stops the rest and is rethrown by `flush`, and the transaction then rolls back as a
 * whole.
 */
export class ComparisonResultWriter {
  private readonly pending: (() => Insert)[] = [];
  private inFlight = 0;
  private failure: { error: unknown } | undefined;
  private waiting: (() => void)[] = [];
  private benchmarkRows: BenchmarkRow[] = [];
  readonly counts = { groups: 0, benchmarks: 0 };

  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
    private readonly runId: string,
  ) {}

  /** Queues every member of the targets' groups, in target and rank order. */
  groups(result: ComparisonGroups): void {
    const { urns, offsets, members, distances, shares, features } = result.groups;
    const rowOf = new Map(Array.from(urns, (urn, i) => [urn, i]));
    // Neighbours' tenants are few (own, reference, partners): sent once, referenced by position.
    const sources = [...new Set(result.tenantOf.values())];
    const sourceOf = new Map(sources.map((tenantId, i) => [tenantId, i + 1]));
    const d = shares ? features.length : 0;
    const shareColumns = Array.from({ length: d }, (_, j) => j);
    const sql = `
      insert into comparison_groups
        (tenant_id, run_id, urn, rank, neighbour_urn, neighbour_tenant_id, distance, feature_shares)
      select r.tenant_id, r.id, u.urn, u.rank, u.neighbour_urn, ($3::uuid[])[u.source], u.distance,
             ${d > 0 ? `array[${shareColumns.map((j) => `u.s${j}`).join(', ')}]` : `'{}'`}::float8[]
      from comparison_runs r
      cross join unnest($4::int[], $5::int[], $6::int[], $7::int[], $8::float8[]${shareColumns
        .map((j) => `, $${9 + j}::float8[]`)
        .join('')})
        as u(urn, rank, neighbour_urn, source, distance${shareColumns.map((j) => `, s${j}`).join('')})
      where r.tenant_id = $1 and r.id = $2`;

    // Batches of whole groups, about ROWS_PER_INSERT members each.
    let first = 0;
    let size = 0;
    const targets = result.targets;
    for (let t = 0; t < targets.length; t++) {
      const row = rowOf.get(targets[t]) as number;
      size += offsets[row + 1] - offsets[row];
      if (size < ROWS_PER_INSERT && t < targets.length - 1) continue;
      const [from, to] = [first, t + 1];
      first = t + 1;
      size = 0;
      this.enqueue(() => {
        // Member positions (into the flat group arrays) and their targets, in insert order.
        const at: number[] = [];
        const targetOf: number[] = [];
        for (const target of targets.slice(from, to)) {
          const r = rowOf.get(target) as number;
          for (let i = offsets[r]; i < offsets[r + 1]; i++) {
            at.push(i);
            targetOf.push(target);
          }
        }
        const sourceAt = (k: number): number => {
          const neighbourUrn = urns[members[at[k]]];
          const tenantId = result.tenantOf.get(neighbourUrn);
          const position = tenantId === undefined ? undefined : sourceOf.get(tenantId);
          if (position === undefined) throw new Error(`No tenant for neighbour ${neighbourUrn}`);
          return position;
        };
        const n = at.length;
        return {
          table: 'groups',
          rows: n,
          sql,
          parameters: [
            this.tenantId,
            this.runId,
            textArray(sources),
            int4Array(n, (k) => targetOf[k]),
            int4Array(n, (k) => at[k] - offsets[rowOf.get(targetOf[k]) as number] + 1),
            int4Array(n, (k) => urns[members[at[k]]]),
            int4Array(n, sourceAt),
            float8Array(n, (k) => distances[at[k]]),
            ...shareColumns.map((j) =>
              float8Array(n, (k) => (shares as Float64Array)[at[k] * d + j]),
            ),
          ],
        };
      });
    }
  }

  /** Queues benchmark rows; they are sent in batches of about ROWS_PER_INSERT. */
  benchmarks(rows: readonly BenchmarkRow[]): void {
    for (const row of rows) this.benchmarkRows.push(row);
    if (this.benchmarkRows.length >= ROWS_PER_INSERT) this.enqueueBenchmarks();
  }

  private enqueueBenchmarks(): void {
    const b = this.benchmarkRows;
    if (b.length === 0) return;
    this.benchmarkRows = [];
    this.enqueue(() => {
      // Few distinct texts (measures, suppression codes, trend periods): sent once each,
      // referenced by position, so every column goes as a binary number array.
      const measures = new Positions();
      const codes = new Positions();
      const trends = new Positions();
      const n = b.length;
      return {
        table: 'benchmarks',
        rows: n,
        sql: INSERT_BENCHMARKS,
        parameters: [
          this.tenantId,
          this.runId,
          int4Array(n, (k) => b[k].urn),
          int4Array(n, (k) => measures.of(b[k].measure)),
          int4Array(n, (k) => b[k].period),
          float8Array(n, (k) => b[k].value),
          int4Array(n, (k) => {
            const code = b[k].suppression;
            return code === null ? null : codes.of(code);
          }),
          int4Array(n, (k) => b[k].groupN),
          float8Array(n, (k) => b[k].median),
          float8Array(n, (k) => b[k].q1),
          float8Array(n, (k) => b[k].q3),
          float8Array(n, (k) => b[k].percentileRank),
          int4Array(n, (k) => b[k].rank),
          int4Array(n, (k) => b[k].rankOf),
          float8Array(n, (k) => b[k].gapToMedian),
          float8Array(n, (k) => b[k].trendSlope),
          int4Array(n, (k) => trends.of(b[k].trendPeriods.join(','))),
          float8Array(n, (k) => b[k].disadvantagedGap),
          float8Array(n, (k) => b[k].groupDisadvantagedGap),
          int4Array(n, (k) => b[k].groupDisadvantagedN),
          float8Array(n, (k) => b[k].expectedValue),
          float8Array(n, (k) => b[k].residual),
          int4Array(n, (k) => b[k].suppressedCount),
          int4Array(n, (k) => b[k].missingCount),
          textArray(measures.values),
          textArray(codes.values),
          textArray(trends.values),
          float8Array(n, (k) => b[k].ciLower),
          float8Array(n, (k) => b[k].ciUpper),
        ],
      };
    });
  }

  /** Resolves once every queued batch is in the database; rejects with the first failure. */
  async flush(): Promise<void> {
    this.enqueueBenchmarks();
    while (this.inFlight > 0 || (this.pending.length > 0 && !this.failure)) await this.settled();
    if (this.failure) throw this.failure.error;
  }

  /** After a failure elsewhere: sends nothing more and waits for what the connection holds. */
  async abandon(): Promise<void> {
    this.pending.length = 0;
    this.benchmarkRows = [];
    while (this.inFlight > 0) await this.settled();
  }

  private enqueue(build: () => Insert): void {
    this.pending.push(build);
    this.pump();
  }

  private pump(): void {
    while (!this.failure && this.inFlight < IN_FLIGHT && this.pending.length > 0) {
      const build = this.pending.shift() as () => Insert;
      let insert: Insert;
      try {
        insert = build();
      } catch (error) {
        this.failure = { error };
        break;
      }
      this.inFlight++;
      this.m
        .query(insert.sql, [...insert.parameters])
        .then(
          () => void (this.counts[insert.table] += insert.rows),
          (error: unknown) => void (this.failure ??= { error }),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
          for (const wake of this.waiting.splice(0)) wake();
        });
    }
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

const INSERT_BENCHMARKS = `
  insert into comparison_benchmarks
    (tenant_id, run_id, urn, measure, period, value, suppression, group_n, median, q1, q3,
     percentile_rank, rank, rank_of, gap_to_median, trend_slope, trend_periods,
     disadvantaged_gap, group_disadvantaged_gap, group_disadvantaged_n, expected_value,
     residual, suppressed_count, missing_count, ci_lower, ci_upper)
  select r.tenant_id, r.id, u.urn, ($25::text[])[u.measure], u.period, u.value, ($26::text[])[u.suppression],
         u.group_n, u.median, u.q1, u.q3, u.percentile_rank, u.rank, u.rank_of, u.gap_to_median,
         u.trend_slope,
         coalesce(string_to_array(nullif(($27::text[])[u.trend_periods], ''), ',')::int[], '{}'),
         u.disadvantaged_gap, u.group_disadvantaged_gap, u.group_disadvantaged_n,
         u.expected_value, u.residual, u.suppressed_count, u.missing_count, u.ci_lower, u.ci_upper
  from comparison_runs r
  cross join unnest($3::int[], $4::int[], $5::int[], $6::float8[], $7::int[], $8::int[],
              $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::int[], $14::int[],
              $15::float8[], $16::float8[], $17::int[], $18::float8[], $19::float8[],
              $20::int[], $21::float8[], $22::float8[], $23::int[], $24::int[],
              $28::float8[], $29::float8[])
    as u(urn, measure, period, value, suppression, group_n, median, q1, q3, percentile_rank,
         rank, rank_of, gap_to_median, trend_slope, trend_periods, disadvantaged_gap,
         group_disadvantaged_gap, group_disadvantaged_n, expected_value, residual,
         suppressed_count, missing_count, ci_lower, ci_upper)
  where r.tenant_id = $1 and r.id = $2`;

/** 1-based positions of distinct texts, in order of first use. */
class Positions {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  of(value: string): number {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.values.push(value);
      this.index.set(value, at);
    }
    return at;
  }
}

const INT4 = 23;
const FLOAT8 = 701;

/**
 * A one-dimensional array in PostgreSQL's binary format (array_send), sent as a binary parameter
 * (the driver sends a Buffer as such): exact to the bit, and far cheaper on both ends than
 * formatting and parsing half a million rows of decimal text. `valueAt(k)` gives element k.
 */
function binaryArray(
  length: number,
  valueAt: (k: number) => number | null,
  element: typeof INT4 | typeof FLOAT8,
): Buffer {
  const width = element === INT4 ? 4 : 8;
  const out = Buffer.allocUnsafe(20 + length * (4 + width));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let nulls = 0;
  let at = 20;
  for (let k = 0; k < length; k++) {
    const v = valueAt(k);
    if (v === null) {
      view.setInt32(at, -1);
      at += 4;
      nulls = 1;
    } else if (element === INT4) {
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
        throw new Error(`Not a 32-bit integer: ${v}`);
      }
      view.setInt32(at, 4);
      view.setInt32(at + 4, v);
      at += 8;
    } else {
      view.setInt32(at, 8);
      view.setFloat64(at + 4, v);
      at += 12;
    }
  }
  view.setInt32(0, 1); // dimensions
  view.setInt32(4, nulls);
  view.setInt32(8, element);
  view.setInt32(12, length);
  view.setInt32(16, 1); // lower bound
  return out.subarray(0, at);
}

export function int4Array(length: number, valueAt: (k: number) => number | null): Buffer {
  return binaryArray(length, valueAt, INT4);
}

export function float8Array(length: number, valueAt: (k: number) => number | null): Buffer {
  return binaryArray(length, valueAt, FLOAT8);
}

/** A PostgreSQL array literal of texts, each quoted (NULL for null). */
export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
}

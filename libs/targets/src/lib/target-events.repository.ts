import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** A row of `target_events`. */
export interface TargetEventRow {
  id: string;
  urn: number | null;
  measure: string;
  time_period: number;
  breakdown: string;
  kind: 'target' | 'baseline';
  action: 'set' | 'proposed' | 'agreed' | 'returned';
  value: number;
  baseline_period: number | null;
  answers: string | null;
  reason: string | null;
  source: 'api' | 'csv';
  actor_id: string;
  actor_role: string;
  at: Date;
}

export type NewTargetEvent = Omit<TargetEventRow, 'id' | 'at'>;

export interface TargetKey {
  urn: number | null;
  measure: string;
  period: number;
  breakdown: string;
  kind: 'target' | 'baseline';
}

const COLUMNS = `id, urn, measure, time_period, breakdown, kind, action, value, baseline_period,
  answers, reason, source, actor_id, actor_role, at`;

/** Every statement on `target_events` (append-only: insert and read, nothing else). */
export class TargetEvents {
  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
  ) {}

  /** Appends events in one statement, in order (their `at` increases within the statement). */
  async append(events: readonly NewTargetEvent[]): Promise<TargetEventRow[]> {
    if (events.length === 0) return [];
    const ids = events.map(() => randomUUID());
    return this.m.query<TargetEventRow[]>(
      `insert into target_events (tenant_id, id, urn, measure, time_period, breakdown, kind, action,
         value, baseline_period, answers, reason, source, actor_id, actor_role)
       select $1, e.id, e.urn, e.measure, e.time_period, e.breakdown, e.kind, e.action, e.value,
              e.baseline_period, e.answers, e.reason, e.source, e.actor_id, e.actor_role
       from unnest($2::uuid[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
                   $9::float8[], $10::int[], $11::uuid[], $12::text[], $13::text[], $14::uuid[], $15::text[])
         with ordinality as e(id, urn, measure, time_period, breakdown, kind, action, value,
           baseline_period, answers, reason, source, actor_id, actor_role, n)
       order by e.n
       returning ${COLUMNS}`,
      [
        this.tenantId,
        ids,
        events.map((e) => e.urn),
        events.map((e) => e.measure),
        events.map((e) => e.time_period),
        events.map((e) => e.breakdown),
        events.map((e) => e.kind),
        events.map((e) => e.action),
        events.map((e) => e.value),
        events.map((e) => e.baseline_period),
        events.map((e) => e.answers),
        events.map((e) => e.reason),
        events.map((e) => e.source),
        events.map((e) => e.actor_id),
        events.map((e) => e.actor_role),
      ],
    );
  }

  async byId(id: string): Promise<TargetEventRow | undefined> {
    const [row] = await this.m.query<TargetEventRow[]>(
      `select ${COLUMNS} from target_events where tenant_id = $1 and id = $2`,
      [this.tenantId, id],
    );
    return row;
  }

  /** The latest event of a key, locked against a concurrent answer by a transaction lock. */
  async latest(key: TargetKey): Promise<TargetEventRow | undefined> {
    await this.m.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `target|${this.tenantId}|${key.urn}|${key.measure}|${key.period}|${key.breakdown}|${key.kind}`,
    ]);
    const [row] = await this.m.query<TargetEventRow[]>(
      `select ${COLUMNS} from target_events
       where tenant_id = $1 and urn is not distinct from $2 and measure = $3 and time_period = $4
         and breakdown = $5 and kind = $6
       order by at desc, id desc limit 1`,
      [this.tenantId, key.urn, key.measure, key.period, key.breakdown, key.kind],
    );
    return row;
  }

  /** A key's whole history, oldest first. */
  async history(key: Omit<TargetKey, 'kind'>): Promise<TargetEventRow[]> {
    return this.m.query<TargetEventRow[]>(
      `select ${COLUMNS} from target_events
       where tenant_id = $1 and urn is not distinct from $2 and measure = $3 and time_period = $4
         and breakdown = $5
       order by at, id`,
      [this.tenantId, key.urn, key.measure, key.period, key.breakdown],
    );
  }

  /**
   * For each key of the period (measure optional; one school with `urn`): the current value (the
   * latest set or agreed event) and, if the latest event is a proposal, that proposal.
   */
  async current(
    period: number,
    measure: string | null,
    urn: number | null,
  ): Promise<{ current: TargetEventRow[]; pending: TargetEventRow[] }> {
    const rows = await this.m.query<(TargetEventRow & { latest: boolean; settled: boolean })[]>(
      `with ranked as (
         select ${COLUMNS},
           row_number() over (partition by urn, measure, time_period, breakdown, kind order by at desc, id desc) = 1 as latest,
           row_number() over (partition by urn, measure, time_period, breakdown, kind,
             action in ('set', 'agreed') order by at desc, id desc) = 1 and action in ('set', 'agreed') as settled
         from target_events
         where tenant_id = $1 and time_period = $2 and ($3::text is null or measure = $3)
           and ($4::int is null or urn = $4))
       select * from ranked where settled or (latest and action = 'proposed')
       order by urn nulls first, measure, breakdown, kind`,
      [this.tenantId, period, measure, urn],
    );
    return {
      current: rows.filter((r) => r.settled),
      pending: rows.filter((r) => r.latest && r.action === 'proposed'),
    };
  }
}

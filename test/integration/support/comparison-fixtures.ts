import { randomUUID } from 'node:crypto';

import type { ObservedValue } from '@schoolbench/comparisons-core';
import type { TestDatabase } from '@schoolbench/testing';

export const CONTEXT_PERIOD = '201819';
export const OUTCOME_PERIODS = ['201617', '201718', '201819'] as const;
export const CONTEXT_MEASURES = [
  'fsm_ever_pct',
  'eal_pct',
  'sen_support_pct',
  'ehc_plan_pct',
  'pupils_on_roll',
] as const;

/** A deterministic number in [0, 1) per key, so every test run sees the same schools. */
function unit(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100_000) / 100_000;
}

/** One observation: (urn, measure, period, breakdown) → a value or an EES code. */
export type ObservationRow = [number, string, string, string, ObservedValue];

/**
 * Context (census) observations for 2018/19 and three years of KS2 outcomes, with disadvantaged
 * breakdowns, a few suppressed cells and, for `struggling` schools, results that sit at the bottom
 * of any group.
 */
export function comparisonObservations(
  urns: readonly number[],
  options: { variant?: string; struggling?: readonly number[] } = {},
): { context: ObservationRow[]; outcomes: ObservationRow[] } {
  const v = options.variant ?? '';
  const context: ObservationRow[] = [];
  const outcomes: ObservationRow[] = [];
  for (const urn of urns) {
    const r = (what: string) => unit(`${v}${urn}:${what}`);
    context.push(
      [urn, 'fsm_ever_pct', CONTEXT_PERIOD, 'all', round(4 + 50 * r('fsm'))],
      [urn, 'eal_pct', CONTEXT_PERIOD, 'all', round(1 + 40 * r('eal'))],
      [urn, 'sen_support_pct', CONTEXT_PERIOD, 'all', round(6 + 14 * r('sen'))],
      [urn, 'ehc_plan_pct', CONTEXT_PERIOD, 'all', round(0.2 + 4 * r('ehc'))],
      [urn, 'pupils_on_roll', CONTEXT_PERIOD, 'all', Math.round(60 + 600 * r('nor'))],
    );
    const low = options.struggling?.includes(urn) ?? false;
    OUTCOME_PERIODS.forEach((period, year) => {
      const rwm = low ? 18 + year : Math.round(45 + 45 * r(`rwm${year}`));
      const suppressed = urn % 7 === 0 && period === '201718';
      outcomes.push(
        [urn, 'ks2_rwm_expected_pct', period, 'all', suppressed ? 'c' : rwm],
        [
          urn,
          'ks2_rwm_expected_pct',
          period,
          'disadvantaged',
          Math.max(0, rwm - Math.round(25 * r(`gap${year}`))),
        ],
        [
          urn,
          'ks2_rwm_expected_pct',
          period,
          'not_disadvantaged',
          Math.min(100, rwm + Math.round(6 * r(`ngap${year}`))),
        ],
        [urn, 'ks2_reading_progress', period, 'all', round(-4 + 8 * r(`read${year}`))],
      );
    });
  }
  return { context, outcomes };
}

/** One decimal place; `+ 0` turns -0 into 0, as the database driver would. */
function round(x: number): number {
  return Math.round(x * 10) / 10 + 0;
}

/** A published, current dataset version holding the rows, written as the superuser. */
export async function insertDataset(
  db: TestDatabase,
  tenantId: string,
  series: string,
  rows: readonly ObservationRow[],
  options: { version?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const version = options.version ?? 1;
  await db.query(
    'update datasets set is_current = false where tenant_id = $1 and series = $2 and is_current',
    [tenantId, series],
  );
  await db.query(
    `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at, periods)
     values ($1, $2, $3, $4, $5, $6, 'fixture', 'published', true, now(), $7)`,
    [
      tenantId,
      id,
      series,
      version,
      `${series}-v${version}.csv`,
      randomUUID().replace(/-/g, '').padEnd(64, '0'),
      [...new Set(rows.map((r) => r[2]))],
    ],
  );
  await db.query(
    `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value, suppression)
     select $1, $2, u.urn, u.measure, u.period, 'Academic year', u.breakdown, u.value, u.suppression
     from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::float8[], $8::text[])
       as u(urn, measure, period, breakdown, value, suppression)`,
    [
      tenantId,
      id,
      rows.map((r) => r[0]),
      rows.map((r) => r[1]),
      rows.map((r) => Number(r[2])),
      rows.map((r) => r[3]),
      rows.map((r) => (typeof r[4] === 'number' ? r[4] : null)),
      rows.map((r) => (typeof r[4] === 'string' ? r[4] : null)),
    ],
  );
  return id;
}

/** Looks observations up like the worker does: own rows win over reference rows. */
export class ObservationLookup {
  private readonly rows = new Map<string, ObservedValue>();

  constructor(...layers: readonly (readonly ObservationRow[])[]) {
    // Later layers first, so the first layer (own data) overwrites them.
    for (const layer of [...layers].reverse()) {
      for (const [urn, measure, period, breakdown, value] of layer) {
        this.rows.set(`${urn}|${measure}|${period}|${breakdown}`, value);
      }
    }
  }

  get(urn: number, measure: string, period: string, breakdown = 'all'): ObservedValue {
    return this.rows.get(`${urn}|${measure}|${period}|${breakdown}`);
  }
}

import type { Measure } from '@schoolbench/data-format-core';

/** RAG against a target (docs/targets.md §3). */
export type RagStatus = 'green' | 'amber' | 'red';

/** Where a value stands in its group, on the value scale (docs/targets.md §3). */
export type GroupPosition = 'upper_quartile' | 'middle_half' | 'lower_quartile';

export interface AmberMargins {
  /** For measures in percent: percentage points (default 2). */
  readonly percent: number;
  /** For scores (progress scores and the like): score points (default 0.1). */
  readonly score: number;
}

export const DEFAULT_AMBER_MARGINS: AmberMargins = { percent: 2, score: 0.1 };

/** The amber margin for a measure: by its unit; other units have none (met or not). */
export function amberMargin(measure: Pick<Measure, 'unit'>, margins: AmberMargins): number {
  if (measure.unit === 'percent') return margins.percent;
  if (measure.unit === 'score') return margins.score;
  return 0;
}

/**
 * Green: the target is met (at least it, or at most it when lower is better). Amber: short of it
 * by no more than the margin. Red: further short.
 */
export function ragStatus(
  actual: number,
  target: number,
  polarity: 'higher_better' | 'lower_better',
  margin: number,
): RagStatus {
  const shortBy = polarity === 'higher_better' ? target - actual : actual - target;
  // Published values carry one or two decimals: a difference within rounding noise is met.
  if (shortBy <= 1e-9) return 'green';
  if (shortBy <= margin + 1e-9) return 'amber';
  return 'red';
}

/** Above the upper quartile, below the lower quartile, or between them (both included). */
export function groupPosition(value: number, lower: number, upper: number): GroupPosition {
  if (value > upper) return 'upper_quartile';
  if (value < lower) return 'lower_quartile';
  return 'middle_half';
}

/**
 * Why a target value is impossible for the measure, or null. Percentages 0–100; progress scores
 * −30 to 30 (DfE's KS2 scores stay within ±25, Progress 8 within ±5); other scores, counts,
 * money and ratios not negative.
 */
export function targetValueProblem(
  measure: Pick<Measure, 'code' | 'unit' | 'category' | 'polarity'>,
  value: number,
): string | null {
  if (!Number.isFinite(value)) return `${measure.code}: the target must be a number`;
  if (measure.polarity === 'neutral') {
    return `${measure.code} has no better direction, so it cannot have a target`;
  }
  if (measure.unit === 'percent' && (value < 0 || value > 100)) {
    return `${measure.code} is a percentage: the target must be between 0 and 100, not ${value}`;
  }
  if (measure.category === 'progress' && (value < -30 || value > 30)) {
    return `${measure.code} is a progress score: the target must be between -30 and 30, not ${value}`;
  }
  if (measure.unit !== 'percent' && measure.category !== 'progress' && value < 0) {
    return `${measure.code} cannot be negative (${value})`;
  }
  return null;
}

export interface CohortValue {
  readonly value: number | null | undefined;
  readonly cohort: number | null | undefined;
}

export interface AuthorityFigure {
  /** Σ valueᵢ·cohortᵢ / Σ cohortᵢ over schools with both; undefined when there are none. */
  readonly value: number | undefined;
  readonly cohort: number;
  readonly schools: number;
}

/**
 * An authority-wide figure from school figures weighted by cohort: for a percentage of pupils
 * this is the percentage of all the authority's pupils (NI-style indicators).
 */
export function cohortWeighted(values: readonly CohortValue[]): AuthorityFigure {
  let weighted = 0;
  let cohort = 0;
  let schools = 0;
  for (const v of values) {
    if (v.value == null || !Number.isFinite(v.value) || v.cohort == null || !(v.cohort > 0))
      continue;
    weighted += v.value * v.cohort;
    cohort += v.cohort;
    schools++;
  }
  return { value: cohort > 0 ? weighted / cohort : undefined, cohort, schools };
}

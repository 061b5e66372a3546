/**
 * DfE's progress bands and significance from a published 95% confidence interval (docs/targets.md
 * §2). DfE bands a school's progress score in five:
 *
 * - average: the interval includes 0;
 * - above / below average: the interval lies wholly above / below 0;
 * - well above / well below average: as above / below, and the score is at least / at most the
 *   year's "well" threshold (Progress 8: ±0.5; KS2: about the top / bottom 10% of schools,
 *   set per subject and year).
 *
 * Thresholds are pinned from DfE's own published bands (`READPROG_DESCR` … in the KS2 school
 * files, `P8_BANDING` in the KS4 files): with them this rule gives DfE's band for every Hampshire
 * KS2 school in 2017/18 and 2018/19 and every North Yorkshire Progress 8 score in 2017/18 and
 * 2018/19 (checked in progress-band.spec.ts). Where a year's KS2 thresholds are not pinned, only
 * significance is given, never a guessed "well" band.
 */

export const PROGRESS_BANDS = ['well_above', 'above', 'average', 'below', 'well_below'] as const;
export type ProgressBand = (typeof PROGRESS_BANDS)[number];

export type Significance = 'above' | 'below' | 'not_significant';

export interface WellThresholds {
  /** A score at least this (and significantly above 0) is "well above average". */
  readonly wellAbove: number;
  /** A score at most this (and significantly below 0) is "well below average". */
  readonly wellBelow: number;
}

/** The measures whose confidence limits DfE publishes, with their limit measures. */
export const CONFIDENCE_LIMITS: Readonly<Record<string, { lower: string; upper: string }>> = {
  ks2_reading_progress: {
    lower: 'ks2_reading_progress_ci_lower',
    upper: 'ks2_reading_progress_ci_upper',
  },
  ks2_writing_progress: {
    lower: 'ks2_writing_progress_ci_lower',
    upper: 'ks2_writing_progress_ci_upper',
  },
  ks2_maths_progress: {
    lower: 'ks2_maths_progress_ci_lower',
    upper: 'ks2_maths_progress_ci_upper',
  },
  ks4_progress8: { lower: 'ks4_progress8_ci_lower', upper: 'ks4_progress8_ci_upper' },
};

/**
 * DfE's "well" thresholds by measure and EES period. KS2 values are the boundaries between DfE's
 * published bands on its published (one-decimal) scores, read from the 2017/18 and 2018/19 KS2
 * files (2018/19: also the national extract's 16,000+ banded schools). Progress 8's ±0.5 is
 * DfE's rule every year (Secondary accountability measures guide).
 */
const WELL_THRESHOLDS: Readonly<Record<string, Readonly<Record<string, WellThresholds>>>> = {
  ks2_reading_progress: {
    '201718': { wellAbove: 3.1, wellBelow: -2.9 },
    '201819': { wellAbove: 3.2, wellBelow: -2.9 },
  },
  ks2_writing_progress: {
    '201718': { wellAbove: 2.7, wellBelow: -2.7 },
    '201819': { wellAbove: 2.6, wellBelow: -2.6 },
  },
  ks2_maths_progress: {
    '201718': { wellAbove: 3.2, wellBelow: -3.3 },
    '201819': { wellAbove: 3.0, wellBelow: -3.2 },
  },
};
const PROGRESS_8: WellThresholds = { wellAbove: 0.5, wellBelow: -0.5 };

// Published scores have one or two decimals; a threshold equal to a score must count as reached.
const EPSILON = 1e-9;

export function wellThresholds(measure: string, period: string): WellThresholds | undefined {
  if (measure === 'ks4_progress8') return PROGRESS_8;
  return WELL_THRESHOLDS[measure]?.[period];
}

/** Whether an interval lies wholly above or below a reference value (0, or a group median). */
export function significanceAgainst(reference: number, lower: number, upper: number): Significance {
  if (lower > reference) return 'above';
  if (upper < reference) return 'below';
  return 'not_significant';
}

/**
 * DfE's band for a progress score with its confidence limits, or undefined when the year's
 * "well" thresholds are not pinned (then a significant score cannot be placed honestly).
 */
export function progressBand(
  score: number,
  lower: number,
  upper: number,
  thresholds: WellThresholds | undefined,
): ProgressBand | undefined {
  const side = significanceAgainst(0, lower, upper);
  if (side === 'not_significant') return 'average';
  if (!thresholds) return undefined;
  if (side === 'above') return score >= thresholds.wellAbove - EPSILON ? 'well_above' : 'above';
  return score <= thresholds.wellBelow + EPSILON ? 'well_below' : 'below';
}

/** DfE's small-cohort caution: results of fewer than 11 pupils swing on one or two pupils. */
export const SMALL_COHORT_BELOW = 11;

export function isSmallCohort(cohort: number | null | undefined): boolean {
  return cohort != null && cohort < SMALL_COHORT_BELOW;
}

import { usableNumber, usableValues, type ObservedValue } from './observed-value';
import { median } from './quantiles';
import { isInsufficientGroup } from './school-benchmark';
import { periodYear, trend, type Trend } from './trend';

export interface BreakdownStanding {
  readonly period: string;
  /** The school's value for the breakdown (e.g. disadvantaged pupils). */
  readonly value: ObservedValue;
  /** The group members' values for the same breakdown. */
  readonly group: readonly ObservedValue[];
}

export interface BreakdownGapPeriod {
  readonly period: string;
  readonly value: number | undefined;
  readonly groupN: number;
  readonly insufficientGroup: boolean;
  /** Median of the members' values for the same breakdown; none from an insufficient group. */
  readonly groupMedian: number | undefined;
  /** value − groupMedian. */
  readonly gap: number | undefined;
}

export interface BreakdownGap {
  readonly periods: readonly BreakdownGapPeriod[];
  /** Least-squares slope of the gap per year over the last three years (SPEC §8's trend). */
  readonly gapTrend: Trend;
}

/**
 * A pupil group of a school against the same pupil group in its similar-school group, period by
 * period: the gap to the group's median and the three-year trend of that gap (docs/targets.md
 * §6). Suppressed values are left out, never read as 0; a period whose group has fewer than
 * `minGroupN` values has no median and no gap.
 */
export function breakdownGap(
  series: readonly BreakdownStanding[],
  minGroupN?: number,
): BreakdownGap {
  const periods = [...series]
    .sort((a, b) => periodYear(a.period) - periodYear(b.period))
    .map((s): BreakdownGapPeriod => {
      const value = usableNumber(s.value);
      const { values } = usableValues(s.group);
      const insufficient = isInsufficientGroup(values.length, minGroupN);
      const groupMedian = insufficient || values.length === 0 ? undefined : median(values);
      return {
        period: s.period,
        value,
        groupN: values.length,
        insufficientGroup: insufficient,
        groupMedian,
        gap: value !== undefined && groupMedian !== undefined ? value - groupMedian : undefined,
      };
    });
  return {
    periods,
    gapTrend: trend(periods.map((p) => ({ period: p.period, value: p.gap ?? null }))),
  };
}

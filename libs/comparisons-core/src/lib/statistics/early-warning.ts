import { ComparisonInputError } from '../methods/comparison-input-error';
import { usableNumber, usableValues, type ObservedValue } from './observed-value';
import { quartiles } from './quantiles';
import { directed, isBetter, type Polarity } from './ranking';
import { isInsufficientGroup } from './school-benchmark';
import { periodYear } from './trend';

export interface PeriodStanding {
  readonly period: string | number;
  readonly value: ObservedValue;
  /** The group's values that period (the school itself not included). */
  readonly group: readonly ObservedValue[];
}

export interface EarlyWarningRule {
  readonly polarity: Polarity;
  /** The value the latest result must be worse than: below it, or above it if lower is better. */
  readonly floor: number;
  /** How many of the latest periods to look at (default 3). */
  readonly periods?: number;
  /** In how many of them the school must be in its group's worst quartile (default 2). */
  readonly required?: number;
  /** A period whose group has fewer usable values than this does not count (default 5). */
  readonly minGroupN?: number;
}

export interface EarlyWarning {
  readonly warn: boolean;
  /** Start years of the periods in which the school was in the worst quartile. */
  readonly worstQuartilePeriods: readonly number[];
  readonly periodsConsidered: readonly number[];
  readonly latestValue: number | undefined;
  readonly worseThanFloor: boolean;
}

/**
 * Early warning (SPEC §8 benchmarks): the school was in its group's worst quartile in at least
 * `required` of the last `periods` periods — strictly worse than the group's lower quartile
 * (upper if lower is better), type 7 — and its latest usable value is worse than the floor.
 * A period in which the school's value is suppressed or its group has fewer than `minGroupN`
 * values does not count.
 */
export function earlyWarning(
  history: readonly PeriodStanding[],
  rule: EarlyWarningRule,
): EarlyWarning {
  const polarity = directed(rule.polarity, 'An early warning');
  const periods = rule.periods ?? 3;
  const required = rule.required ?? 2;
  if (
    !Number.isInteger(periods) ||
    periods < 1 ||
    !Number.isInteger(required) ||
    required < 1 ||
    required > periods
  ) {
    throw new ComparisonInputError(
      'An early-warning rule needs 1 ≤ required ≤ periods, whole numbers',
    );
  }
  if (!Number.isFinite(rule.floor))
    throw new ComparisonInputError('The early-warning floor must be a number');
  const latest = [...history]
    .map((standing) => ({ ...standing, year: periodYear(standing.period) }))
    .sort((a, b) => b.year - a.year)
    .slice(0, periods);
  const worst: number[] = [];
  for (const standing of latest) {
    const value = usableNumber(standing.value);
    const group = usableValues(standing.group).values;
    // A quartile of fewer than minGroupN schools says nothing (SPEC §8, change log 2026-12-03).
    if (
      value === undefined ||
      group.length === 0 ||
      isInsufficientGroup(group.length, rule.minGroupN)
    )
      continue;
    const { lower, upper } = quartiles(group);
    const boundary = polarity === 'higher_better' ? lower : upper;
    if (isBetter(boundary, value, polarity)) worst.push(standing.year);
  }
  const latestValue = latest.map((s) => usableNumber(s.value)).find((v) => v !== undefined);
  const worseThanFloor = latestValue !== undefined && isBetter(rule.floor, latestValue, polarity);
  return {
    warn: worst.length >= required && worseThanFloor,
    worstQuartilePeriods: worst.sort((a, b) => a - b),
    periodsConsidered: latest.map((s) => s.year).sort((a, b) => a - b),
    latestValue,
    worseThanFloor,
  };
}

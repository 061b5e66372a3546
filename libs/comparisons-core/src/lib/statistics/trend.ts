import { ComparisonInputError } from '../methods/comparison-input-error';
import {
  isSuppressionCode,
  noSuppression,
  usableNumber,
  type ObservedValue,
  type SuppressionCode,
} from './observed-value';

export interface PeriodValue {
  /** EES `time_period` ("201718": the year it starts) or a year as a number. */
  readonly period: string | number;
  readonly value: ObservedValue;
}

export interface Trend {
  /** Least-squares change per year; undefined with fewer than 2 usable periods. */
  readonly slope: number | undefined;
  /** Start years of the periods used. */
  readonly periodsUsed: readonly number[];
  readonly suppressed: Readonly<Record<SuppressionCode, number>>;
  readonly missing: number;
}

/** The year a period starts: "201718" → 2017, "2018" or 2018 → 2018. */
export function periodYear(period: string | number): number {
  const text = String(period).trim();
  const span = /^(\d{4})(\d{2})$/.exec(text);
  if (span) return Number(span[1]);
  if (/^\d{4}$/.test(text)) return Number(text);
  throw new ComparisonInputError(`Not a period: "${text}" (expected e.g. 201718 or 2018)`);
}

/** Ordinary least-squares slope of value on year; undefined below two points or one year. */
export function leastSquaresSlope(
  years: readonly number[],
  values: readonly number[],
): number | undefined {
  const n = years.length;
  if (n < 2) return undefined;
  const meanYear = years.reduce((a, b) => a + b, 0) / n;
  const meanValue = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = years[i] - meanYear;
    sxy += dx * (values[i] - meanValue);
    sxx += dx * dx;
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

/**
 * Trend over the `years` latest years of a series (default 3, SPEC §8's three-year trend): the
 * window ends at the latest period in the series whatever its value; suppressed and missing
 * values inside it are left out and counted; the slope uses the periods that remain.
 */
export function trend(series: readonly PeriodValue[], options: { years?: number } = {}): Trend {
  const years = options.years ?? 3;
  const suppressed = noSuppression();
  if (series.length === 0) return { slope: undefined, periodsUsed: [], suppressed, missing: 0 };
  const dated = series.map((point) => ({ year: periodYear(point.period), value: point.value }));
  const seen = new Set<number>();
  for (const { year } of dated) {
    if (seen.has(year))
      throw new ComparisonInputError(`Period ${year} appears twice in the series`);
    seen.add(year);
  }
  const latest = Math.max(...dated.map((p) => p.year));
  const window = dated.filter((p) => p.year > latest - years).sort((a, b) => a.year - b.year);
  const used: { year: number; value: number }[] = [];
  let missing = 0;
  for (const point of window) {
    const value = usableNumber(point.value);
    if (value !== undefined) used.push({ year: point.year, value });
    else if (isSuppressionCode(point.value)) suppressed[point.value]++;
    else missing++;
  }
  return {
    slope: leastSquaresSlope(
      used.map((p) => p.year),
      used.map((p) => p.value),
    ),
    periodsUsed: used.map((p) => p.year),
    suppressed,
    missing,
  };
}

import { ComparisonInputError } from '../methods/comparison-input-error';

function sortedCopy(values: readonly number[]): number[] {
  if (values.length === 0) throw new ComparisonInputError('No values to summarise');
  if (values.some((v) => !Number.isFinite(v)))
    throw new ComparisonInputError('Values must be finite numbers');
  return [...values].sort((a, b) => a - b);
}

/**
 * Quantile of already sorted values by linear interpolation between order statistics: R's
 * type 7, numpy's default. h = (n − 1)p; the result lies between x[⌊h⌋] and x[⌊h⌋ + 1],
 * interpolated as numpy does (from the nearer end) so results match numpy to the last bit.
 */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1))
    throw new ComparisonInputError(`A quantile is between 0 and 1; got ${p}`);
  const n = sorted.length;
  if (n === 0) throw new ComparisonInputError('No values to summarise');
  const h = (n - 1) * p;
  const below = Math.floor(h);
  const a = sorted[below];
  if (below >= n - 1) return sorted[n - 1];
  const b = sorted[below + 1];
  const t = h - below;
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

export function quantile(values: readonly number[], p: number): number {
  return quantileOfSorted(sortedCopy(values), p);
}

/** The middle value, or the mean of the two middle values (numpy's `median`). */
export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const half = n >> 1;
  return n % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

export interface Quartiles {
  /** 25th percentile, type 7. */
  readonly lower: number;
  readonly median: number;
  /** 75th percentile, type 7. */
  readonly upper: number;
}

export function quartiles(values: readonly number[]): Quartiles {
  const sorted = sortedCopy(values);
  return {
    lower: quantileOfSorted(sorted, 0.25),
    median: median(sorted),
    upper: quantileOfSorted(sorted, 0.75),
  };
}

/**
 * Percentile rank of `value` in a group: the percentage of group values below it, counting
 * values equal to it as half below (the "mean" definition: scipy's
 * `percentileofscore(kind='mean')`). 0 = below every value, 100 = above every value, 50 = the
 * middle. It is on the value scale, whatever the measure's polarity.
 */
export function percentileRank(value: number, group: readonly number[]): number {
  if (group.length === 0) throw new ComparisonInputError('No group values to rank against');
  let below = 0;
  let equal = 0;
  for (const v of group) {
    if (v < value) below++;
    else if (v === value) equal++;
  }
  return (100 * (below + equal / 2)) / group.length;
}

import {
  isSuppressionCode,
  usableNumber,
  usableValues,
  type ObservedValue,
  type SuppressionCode,
  type SuppressionCounts,
} from './observed-value';
import { percentileRank, quartiles } from './quantiles';
import { rankAmong, type Polarity } from './ranking';

/** SPEC §8 (change log 2026-12-03): fewer members with a value than this give no spread or rank. */
export const DEFAULT_MIN_GROUP_N = 5;

export interface SchoolBenchmark {
  /** The school's value, or undefined when suppressed (see `valueCode`) or missing. */
  readonly value: number | undefined;
  readonly valueCode: SuppressionCode | undefined;
  /** Group members with a usable value. */
  readonly groupN: number;
  readonly suppressed: SuppressionCounts;
  readonly missing: number;
  readonly lowerQuartile: number | undefined;
  readonly median: number | undefined;
  readonly upperQuartile: number | undefined;
  readonly percentileRank: number | undefined;
  /** 1 = best among the school and its group by the measure's polarity; undefined if neutral. */
  readonly rank: number | undefined;
  readonly of: number | undefined;
  /** value − group median (on the value scale). */
  readonly gapToMedian: number | undefined;
  /**
   * Fewer than `minGroupN` members have a value: median, quartiles, percentile rank, rank and gap
   * are withheld (a "rank 2 of 2" or a quartile of two schools would mislead).
   */
  readonly insufficientGroup: boolean;
  /** The members' usable values, ascending, when the group is insufficient; else empty. */
  readonly memberValues: readonly number[];
}

export interface BenchmarkOptions {
  /** Default `DEFAULT_MIN_GROUP_N`; 1 keeps every statistic whatever the group's size. */
  readonly minGroupN?: number;
}

/** Whether a group with `groupN` usable values is too small for spread and rank statistics. */
export function isInsufficientGroup(groupN: number, minGroupN = DEFAULT_MIN_GROUP_N): boolean {
  return groupN < minGroupN;
}

/**
 * A school's value against its group's (SPEC §8): quartiles, percentile rank, rank of n and gap
 * to median. Suppressed group values are left out and counted, never read as 0. With fewer than
 * `minGroupN` usable group values only the value, n and the members' values are given.
 */
export function benchmarkAgainstGroup(
  value: ObservedValue,
  group: readonly ObservedValue[],
  polarity: Polarity,
  options: BenchmarkOptions = {},
): SchoolBenchmark {
  const own = usableNumber(value);
  const { values, suppressed, missing } = usableValues(group);
  if (isInsufficientGroup(values.length, options.minGroupN)) {
    return {
      value: own,
      valueCode: isSuppressionCode(value) ? value : undefined,
      groupN: values.length,
      suppressed,
      missing,
      lowerQuartile: undefined,
      median: undefined,
      upperQuartile: undefined,
      percentileRank: undefined,
      rank: undefined,
      of: undefined,
      gapToMedian: undefined,
      insufficientGroup: true,
      memberValues: [...values].sort((a, b) => a - b),
    };
  }
  const spread = values.length > 0 ? quartiles(values) : undefined;
  const ranked =
    own !== undefined && polarity !== 'neutral' ? rankAmong(own, values, polarity) : undefined;
  return {
    value: own,
    valueCode: isSuppressionCode(value) ? value : undefined,
    groupN: values.length,
    suppressed,
    missing,
    lowerQuartile: spread?.lower,
    median: spread?.median,
    upperQuartile: spread?.upper,
    percentileRank:
      own !== undefined && values.length > 0 ? percentileRank(own, values) : undefined,
    rank: ranked?.rank,
    of: ranked?.of,
    gapToMedian: own !== undefined && spread ? own - spread.median : undefined,
    insufficientGroup: false,
    memberValues: [],
  };
}

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
}

/**
 * A school's value against its group's (SPEC §8): quartiles, percentile rank, rank of n and gap
 * to median. Suppressed group values are left out and counted, never read as 0.
 */
export function benchmarkAgainstGroup(
  value: ObservedValue,
  group: readonly ObservedValue[],
  polarity: Polarity,
): SchoolBenchmark {
  const own = usableNumber(value);
  const { values, suppressed, missing } = usableValues(group);
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
  };
}

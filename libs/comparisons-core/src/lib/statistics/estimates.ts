import { usableValues, type ObservedValue } from './observed-value';
import { quantile } from './quantiles';
import { directed, type Polarity } from './ranking';
import { isInsufficientGroup } from './school-benchmark';

export interface GroupEstimates {
  /** What half the group reaches (the median). */
  readonly p50: number | undefined;
  /** What the best 20% of the group reach. */
  readonly p80: number | undefined;
  /** What the best 5% of the group reach. */
  readonly p95: number | undefined;
  readonly groupN: number;
  readonly insufficientGroup: boolean;
}

/**
 * Estimates from similar schools, in the spirit of FFT's FFT50/FFT20/FFT5: the values schools in
 * the group reach at the 50th, 80th and 95th percentile of performance, type 7. "Performance"
 * follows polarity: when lower is better the 80th percentile of performance is the 20th of
 * the values. None from a group with fewer than `minGroupN` values.
 */
export function groupEstimates(
  group: readonly ObservedValue[],
  polarity: Polarity,
  minGroupN?: number,
): GroupEstimates {
  const direction = directed(polarity, 'An estimate');
  const { values } = usableValues(group);
  // Written out rather than 1 − p, which is not exact in binary (1 − 0.8 ≠ 0.2).
  const at = (best: number, worst: number) =>
    quantile(values, direction === 'higher_better' ? best : worst);
  if (isInsufficientGroup(values.length, minGroupN)) {
    return {
      p50: undefined,
      p80: undefined,
      p95: undefined,
      groupN: values.length,
      insufficientGroup: true,
    };
  }
  return {
    p50: at(0.5, 0.5),
    p80: at(0.8, 0.2),
    p95: at(0.95, 0.05),
    groupN: values.length,
    insufficientGroup: false,
  };
}

import { usableNumber, type ObservedValue } from './observed-value';
import { median } from './quantiles';

export interface DisadvantageBreakdown {
  readonly disadvantaged: ObservedValue;
  readonly notDisadvantaged: ObservedValue;
}

export interface DisadvantagedGap {
  /** The school's disadvantaged minus not-disadvantaged value. */
  readonly schoolGap: number | undefined;
  /** Median of the members' own gaps (members with both values usable). */
  readonly groupGap: number | undefined;
  /** schoolGap − groupGap: positive means the school's gap is less negative than its group's. */
  readonly difference: number | undefined;
  readonly groupN: number;
  /** Members left out because either value was suppressed or missing. */
  readonly excluded: number;
}

function gapOf(breakdown: DisadvantageBreakdown): number | undefined {
  const disadvantaged = usableNumber(breakdown.disadvantaged);
  const others = usableNumber(breakdown.notDisadvantaged);
  return disadvantaged === undefined || others === undefined ? undefined : disadvantaged - others;
}

/** A school's disadvantaged gap against its group's (SPEC §8). */
export function disadvantagedGap(
  school: DisadvantageBreakdown,
  group: readonly DisadvantageBreakdown[],
): DisadvantagedGap {
  const schoolGap = gapOf(school);
  const gaps = group.map(gapOf).filter((g): g is number => g !== undefined);
  const groupGap = gaps.length > 0 ? median(gaps) : undefined;
  return {
    schoolGap,
    groupGap,
    difference:
      schoolGap === undefined || groupGap === undefined ? undefined : schoolGap - groupGap,
    groupN: gaps.length,
    excluded: group.length - gaps.length,
  };
}

/** EES symbols for a value that is not published as a number (SPEC §5). */
export const SUPPRESSION_CODES = ['c', 'x', 'z', 'low', 'u'] as const;
export type SuppressionCode = (typeof SUPPRESSION_CODES)[number];

/** A number, a suppression code, or null/undefined when there is no observation at all. */
export type ObservedValue = number | SuppressionCode | null | undefined;

export type SuppressionCounts = Readonly<Record<SuppressionCode, number>>;

export interface UsableValues {
  readonly values: number[];
  /** How many of each code were left out: a suppressed value is never read as 0. */
  readonly suppressed: SuppressionCounts;
  /** No observation (null/undefined/NaN). */
  readonly missing: number;
}

export function isSuppressionCode(value: unknown): value is SuppressionCode {
  return typeof value === 'string' && (SUPPRESSION_CODES as readonly string[]).includes(value);
}

export function noSuppression(): Record<SuppressionCode, number> {
  return { c: 0, x: 0, z: 0, low: 0, u: 0 };
}

/** The numbers among observed values, with counts of what was left out and why. */
export function usableValues(observed: Iterable<ObservedValue>): UsableValues {
  const values: number[] = [];
  const suppressed = noSuppression();
  let missing = 0;
  for (const value of observed) {
    if (typeof value === 'number' && Number.isFinite(value)) values.push(value);
    else if (isSuppressionCode(value)) suppressed[value]++;
    else missing++;
  }
  return { values, suppressed, missing };
}

export function usableNumber(value: ObservedValue): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

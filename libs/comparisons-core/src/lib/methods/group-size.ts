import { ComparisonInputError } from './comparison-input-error';

/** Checks k against the population (and the method's own limit) with a message a user can act on. */
export function checkGroupSize(
  k: number,
  schools: number,
  methodId: string,
  maxK?: number,
): number {
  const others = schools - 1;
  if (others < 1) {
    throw new ComparisonInputError(
      `${methodId} needs at least 2 schools; the population has ${schools}`,
    );
  }
  const limit = maxK === undefined ? others : Math.min(maxK, others);
  if (!Number.isInteger(k) || k < 1 || k > limit) {
    throw new ComparisonInputError(
      `k must be a whole number from 1 to ${limit} for ${methodId} on ${schools} schools; got ${k}`,
      { k, max: limit },
    );
  }
  return k;
}

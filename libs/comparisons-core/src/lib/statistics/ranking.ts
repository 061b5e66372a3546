import { ComparisonInputError } from '../methods/comparison-input-error';

export type Polarity = 'higher_better' | 'lower_better' | 'neutral';
export type DirectedPolarity = Exclude<Polarity, 'neutral'>;

export function directed(polarity: Polarity, what: string): DirectedPolarity {
  if (polarity === 'neutral') {
    throw new ComparisonInputError(
      `${what} needs a measure with a better direction; this one is neutral`,
    );
  }
  return polarity;
}

/** Whether `a` is strictly better than `b` by the polarity. */
export function isBetter(a: number, b: number, polarity: DirectedPolarity): boolean {
  return polarity === 'higher_better' ? a > b : a < b;
}

export interface RankOf {
  /** 1 = best; equal values share the best rank they tie for ("1, 2, 2, 4"). */
  readonly rank: number;
  /** How many were ranked: the school and the group members with a value. */
  readonly of: number;
}

/** Rank of a school's value among itself and its group's values. */
export function rankAmong(value: number, group: readonly number[], polarity: Polarity): RankOf {
  const direction = directed(polarity, 'A rank');
  let better = 0;
  for (const v of group) if (isBetter(v, value, direction)) better++;
  return { rank: better + 1, of: group.length + 1 };
}

/** Competition ranks ("1, 2, 2, 4") of every value, 1 = best by the polarity. */
export function competitionRanks(values: readonly number[], polarity: Polarity): number[] {
  const direction = directed(polarity, 'A rank');
  const sorted = [...values].sort((a, b) => (direction === 'higher_better' ? b - a : a - b));
  const first = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!first.has(v)) first.set(v, i + 1);
  });
  return values.map((v) => first.get(v) as number);
}

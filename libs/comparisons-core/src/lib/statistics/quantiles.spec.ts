import { median, percentileRank, quantile, quartiles } from './quantiles';

describe('quantiles (type 7, as R’s default and numpy’s)', () => {
  it('interpolates between order statistics: hand-worked on 1..5 and 4 values', () => {
    // h = (n − 1)p: for [1, 2, 3, 4, 5] and p = 0.25, h = 1 → x[1] = 2.
    expect(quartiles([5, 1, 4, 2, 3])).toEqual({ lower: 2, median: 3, upper: 4 });
    // [10, 20, 30, 40]: h = 0.75 → 10 + 0.75 × 10 = 17.5; h = 2.25 → 30 + 0.25 × 10 = 32.5.
    expect(quartiles([40, 10, 30, 20])).toEqual({ lower: 17.5, median: 25, upper: 32.5 });
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([1, 2], 0)).toBe(1);
    expect(quantile([1, 2], 1)).toBe(2);
  });

  it('rejects what has no quantile', () => {
    expect(() => quantile([], 0.5)).toThrow('No values');
    expect(() => quantile([1], 1.5)).toThrow('between 0 and 1');
    expect(() => median([1, Number.NaN])).toThrow('finite');
  });

  it('takes the mean of the two middle values for an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.1, 0.2])).toBe(0.15000000000000002);
  });
});

describe('percentileRank', () => {
  it('counts values below and half of those equal (scipy percentileofscore kind="mean")', () => {
    expect(percentileRank(3, [1, 2, 3, 4])).toBe(62.5);
    expect(percentileRank(0, [1, 2, 3, 4])).toBe(0);
    expect(percentileRank(9, [1, 2, 3, 4])).toBe(100);
    expect(percentileRank(2, [2, 2, 2, 2])).toBe(50);
    expect(() => percentileRank(1, [])).toThrow('No group values');
  });
});

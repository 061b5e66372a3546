import { leastSquaresSlope, periodYear, trend } from './trend';

describe('trend (least-squares slope over the last three years)', () => {
  it('reads EES periods and plain years', () => {
    expect(periodYear('201718')).toBe(2017);
    expect(periodYear(2019)).toBe(2019);
    expect(() => periodYear('2017/18')).toThrow('Not a period');
  });

  it('fits a slope by least squares: hand-worked', () => {
    // x = 0, 1, 2; y = 1, 3, 2: x̄ = 1, ȳ = 2, Σ(x−x̄)(y−ȳ) = 1, Σ(x−x̄)² = 2.
    expect(leastSquaresSlope([0, 1, 2], [1, 3, 2])).toBe(0.5);
    expect(leastSquaresSlope([2018], [1])).toBeUndefined();
  });

  it('uses the latest three years, skipping and counting suppressed values', () => {
    const result = trend([
      { period: '201516', value: 10 },
      { period: '201617', value: 60 },
      { period: '201718', value: 'c' },
      { period: '201819', value: 70 },
    ]);
    expect(result.slope).toBe(5);
    expect(result.periodsUsed).toEqual([2016, 2018]);
    expect(result.suppressed.c).toBe(1);
  });

  it('has no slope with one usable period, and never reads a code as 0', () => {
    const result = trend([
      { period: 2017, value: 'x' },
      { period: 2018, value: null },
      { period: 2019, value: 50 },
    ]);
    expect(result).toMatchObject({ slope: undefined, periodsUsed: [2019], missing: 1 });
    expect(result.suppressed.x).toBe(1);
  });

  it('rejects a series with the same period twice', () => {
    expect(() =>
      trend([
        { period: 2018, value: 1 },
        { period: '2018', value: 2 },
      ]),
    ).toThrow('twice');
  });
});

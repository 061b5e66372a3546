import { breakdownGap } from './breakdown-gap';

describe('breakdownGap', () => {
  it('works out gaps to the group median and their trend by hand', () => {
    const result = breakdownGap(
      [
        // Out of order on purpose: periods are sorted by year.
        { period: '201819', value: 52, group: [60, 50, 'c', 55, 65, 70] },
        { period: '201617', value: 40, group: [50, 55, 60, 45, 65] },
        { period: '201718', value: 'c', group: [50, 52, 54, 56, 58] },
      ],
      5,
    );
    // 201617: median 55 → gap −15; 201718: suppressed, no gap; 201819: median of 50 55 60 65 70
    // = 60 → gap −8. Slope over (2016, −15), (2018, −8) = 7 / 2 = 3.5 a year.
    expect(result.periods).toEqual([
      {
        period: '201617',
        value: 40,
        groupN: 5,
        insufficientGroup: false,
        groupMedian: 55,
        gap: -15,
      },
      {
        period: '201718',
        value: undefined,
        groupN: 5,
        insufficientGroup: false,
        groupMedian: 54,
        gap: undefined,
      },
      {
        period: '201819',
        value: 52,
        groupN: 5,
        insufficientGroup: false,
        groupMedian: 60,
        gap: -8,
      },
    ]);
    expect(result.gapTrend.slope).toBe(3.5);
    expect(result.gapTrend.periodsUsed).toEqual([2016, 2018]);
  });

  it('gives no median or gap from a group under the minimum', () => {
    const result = breakdownGap([{ period: '201819', value: 30, group: [40, 50, null] }]);
    expect(result.periods[0]).toMatchObject({ groupN: 2, insufficientGroup: true, gap: undefined });
    expect(result.gapTrend.slope).toBeUndefined();
  });
});

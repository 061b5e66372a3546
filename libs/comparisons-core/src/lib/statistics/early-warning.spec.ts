import { earlyWarning } from './early-warning';

// Group values whose type-7 quartiles are 20 (lower) and 40 (upper).
const group = [10, 20, 30, 40, 50];

describe('earlyWarning', () => {
  it('warns after two of the last three periods in the worst quartile and below the floor', () => {
    const result = earlyWarning(
      [
        { period: '201617', value: 15, group },
        { period: '201718', value: 35, group },
        { period: '201819', value: 12, group },
        { period: '201516', value: 5, group }, // older than the last three: ignored
      ],
      { polarity: 'higher_better', floor: 20 },
    );
    expect(result).toEqual({
      warn: true,
      worstQuartilePeriods: [2016, 2018],
      periodsConsidered: [2016, 2017, 2018],
      latestValue: 12,
      worseThanFloor: true,
    });
  });

  it('does not warn when the latest value is above the floor', () => {
    const result = earlyWarning(
      [
        { period: 2017, value: 15, group },
        { period: 2018, value: 19, group },
      ],
      { polarity: 'higher_better', floor: 18 },
    );
    expect(result.worstQuartilePeriods).toEqual([2017, 2018]);
    expect(result.warn).toBe(false);
  });

  it('treats the upper quartile as worst when lower is better, and needs strictly worse', () => {
    const result = earlyWarning(
      [
        { period: 2017, value: 40, group }, // on the quartile: not in the worst quarter
        { period: 2018, value: 45, group },
        { period: 2019, value: 48, group },
      ],
      { polarity: 'lower_better', floor: 42 },
    );
    expect(result).toMatchObject({ warn: true, worstQuartilePeriods: [2018, 2019] });
  });

  it('does not count a suppressed period, and falls back to the latest usable value', () => {
    const result = earlyWarning(
      [
        { period: 2017, value: 15, group },
        { period: 2018, value: 12, group },
        { period: 2019, value: 'c', group },
      ],
      { polarity: 'higher_better', floor: 20, required: 2 },
    );
    expect(result).toMatchObject({
      warn: true,
      latestValue: 12,
      worstQuartilePeriods: [2017, 2018],
    });
  });

  it('rejects a rule that cannot hold', () => {
    expect(() => earlyWarning([], { polarity: 'higher_better', floor: 1, required: 4 })).toThrow(
      'required',
    );
    expect(() => earlyWarning([], { polarity: 'neutral', floor: 1 })).toThrow('neutral');
  });
});

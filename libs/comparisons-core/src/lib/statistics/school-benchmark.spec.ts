import { ks2Column } from '../testing/ks2-extract';
import { benchmarkAgainstGroup } from './school-benchmark';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

describe('benchmarkAgainstGroup', () => {
  it('summarises a small group by hand, leaving out and counting suppressed values', () => {
    const result = benchmarkAgainstGroup(60, [40, 'c', 50, 60, null, 70, 'low'], 'higher_better', {
      minGroupN: 4,
    });
    // Usable group: 40 50 60 70 → quartiles 47.5 / 55 / 62.5; 60 ties with one member.
    expect(result).toEqual({
      value: 60,
      valueCode: undefined,
      groupN: 4,
      suppressed: { c: 1, x: 0, z: 0, low: 1, u: 0 },
      missing: 1,
      lowerQuartile: 47.5,
      median: 55,
      upperQuartile: 62.5,
      percentileRank: 62.5,
      rank: 2,
      of: 5,
      gapToMedian: 5,
      insufficientGroup: false,
      memberValues: [],
    });
  });

  it('withholds spread and rank from a group with fewer than 5 values (the default)', () => {
    // The demo's misleading case: one member with a value gave "rank 2 of 2" and quartiles.
    const result = benchmarkAgainstGroup(61, [72, 'c', null, 'x'], 'higher_better');
    expect(result).toEqual({
      value: 61,
      valueCode: undefined,
      groupN: 1,
      suppressed: { c: 1, x: 1, z: 0, low: 0, u: 0 },
      missing: 1,
      lowerQuartile: undefined,
      median: undefined,
      upperQuartile: undefined,
      percentileRank: undefined,
      rank: undefined,
      of: undefined,
      gapToMedian: undefined,
      insufficientGroup: true,
      memberValues: [72],
    });
    // Four values are still too few; five are enough.
    expect(benchmarkAgainstGroup(61, [70, 50, 60, 40], 'higher_better')).toMatchObject({
      insufficientGroup: true,
      memberValues: [40, 50, 60, 70],
      median: undefined,
    });
    expect(benchmarkAgainstGroup(61, [70, 50, 60, 40, 80], 'higher_better')).toMatchObject({
      insufficientGroup: false,
      memberValues: [],
      median: 60,
      rank: 3,
      of: 6,
    });
    // A tenant's own minimum applies instead of the default.
    expect(
      benchmarkAgainstGroup(61, [70, 50, 60, 40, 80], 'higher_better', { minGroupN: 6 }),
    ).toMatchObject({ insufficientGroup: true, groupN: 5 });
  });

  it('keeps the group statistics when the school’s own value is suppressed', () => {
    const result = benchmarkAgainstGroup('c', [1, 2, 3], 'lower_better', { minGroupN: 3 });
    expect(result).toMatchObject({ value: undefined, valueCode: 'c', median: 2, rank: undefined });
    expect(result.percentileRank).toBeUndefined();
  });

  it('has no rank for a neutral measure', () => {
    expect(benchmarkAgainstGroup(2, [1, 3], 'neutral', { minGroupN: 2 })).toMatchObject({
      rank: undefined,
      median: 2,
    });
  });

  it('matches numpy/scipy on a real group: KS2 2017/18 reading progress, school 100576', () => {
    // Group: context-knn-v1 (k = 10) of URN 100576 in the oracle file. Expected numbers came
    // from numpy 1.24 / scipy 1.10 once: np.percentile(x, [25, 50, 75]), np.median(x),
    // scipy.stats.percentileofscore(x, 2.1, kind='mean'), over the 8 numeric values (one member
    // is LOWCOV, one has no result).
    const reading = ks2Column('2017-2018_england_ks2_extract.csv', 'Reading Progress');
    const group = [145030, 100018, 133702, 145131, 100591, 139940, 114425, 100902, 146137, 105944];
    const result = benchmarkAgainstGroup(
      reading.get(100576),
      group.map((urn) => reading.get(urn)),
      'higher_better',
    );
    expect(result).toEqual({
      value: 2.1,
      valueCode: undefined,
      groupN: 8,
      suppressed: { c: 0, x: 0, z: 0, low: 0, u: 1 },
      missing: 1,
      lowerQuartile: -0.725,
      median: -0.25,
      upperQuartile: 1.875,
      percentileRank: 81.25,
      rank: 2,
      of: 9,
      gapToMedian: 2.35,
      insufficientGroup: false,
      memberValues: [],
    });
  });
});

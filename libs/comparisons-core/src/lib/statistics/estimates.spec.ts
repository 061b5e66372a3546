import { ks2Column } from '../testing/ks2-extract';
import { groupEstimates } from './estimates';

jest.setTimeout(60_000);

describe('groupEstimates', () => {
  it('works by hand on a group of five', () => {
    // Sorted 40 50 60 70 80: h = 4p → p50 at 2 (60), p80 at 3.2 (72), p95 at 3.8 (78).
    expect(groupEstimates([70, 50, 'c', 60, 40, 80, null], 'higher_better')).toEqual({
      p50: 60,
      p80: 72,
      p95: 78,
      groupN: 5,
      insufficientGroup: false,
    });
    // Lower is better (absence): the best 20% sit at the 20th percentile of the values.
    expect(groupEstimates([7, 5, 6, 4, 8], 'lower_better')).toMatchObject({
      p50: 6,
      p80: 4.8,
      p95: 4.2,
    });
  });

  it('gives none from fewer than the minimum group size', () => {
    expect(groupEstimates([1, 2, 3, 4], 'higher_better')).toEqual({
      p50: undefined,
      p80: undefined,
      p95: undefined,
      groupN: 4,
      insufficientGroup: true,
    });
    expect(groupEstimates([1, 2, 3, 4], 'higher_better', 4).insufficientGroup).toBe(false);
  });

  it('matches numpy on a real group: KS2 2017/18 reading progress, group of URN 100576', () => {
    // The group of school-benchmark.spec.ts; numpy 2.4.6 on the 8 numeric values:
    // np.percentile(x, [50, 80, 95]) and, lower-better, np.percentile(x, [50, 20, 5]).
    const reading = ks2Column('2017-2018_england_ks2_extract.csv', 'Reading Progress');
    const group = [145030, 100018, 133702, 145131, 100591, 139940, 114425, 100902, 146137, 105944];
    const values = group.map((urn) => reading.get(urn));
    expect(groupEstimates(values, 'higher_better')).toEqual({
      p50: -0.25,
      p80: 1.9800000000000002,
      p95: 2.6849999999999996,
      groupN: 8,
      insufficientGroup: false,
    });
    expect(groupEstimates(values, 'lower_better')).toMatchObject({ p80: -0.76, p95: -1.385 });
  });
});

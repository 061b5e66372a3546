import { accurateMean, accurateSum } from './summation';

// Values x_i = ((37 i) mod 101) / 7: exact in both languages, and not exactly representable.
const series = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 7);

describe('accurateSum', () => {
  // Expected values printed by numpy 1.24 (`np.sum`, `np.mean` on float64 arrays) for the same
  // series: they differ from a left-to-right sum in the last bits.
  it.each([
    [5, 24.0, 4.8],
    [100, 712.2857142857143, 7.122857142857144],
    [1000, 7144.285714285714, 7.144285714285714],
    [20000, 142848.14285714287, 7.142407142857143],
  ])('matches numpy bit for bit on %i values', (n, sum, mean) => {
    const values = series(n);
    expect(accurateSum(values)).toBe(sum);
    expect(accurateMean(values)).toBe(mean);
  });

  it('differs from naive left-to-right addition where numpy does', () => {
    expect(series(20000).reduce((a, b) => a + b, 0)).toBe(142848.14285714246);
  });

  it('sums a strided column of a row-major matrix', () => {
    const matrix = Float64Array.from([1, 10, 2, 20, 3, 30]);
    expect(accurateSum(matrix, 1, 3, 2)).toBe(60);
    expect(accurateSum(matrix, 0, 3, 2)).toBe(6);
    expect(accurateSum([])).toBe(0);
  });
});

// numpy adds float64 arrays pairwise in blocks of 8,192 (its ufunc buffer size), adding the
// blocks in order. Doing exactly the same keeps rounding error at O(log n) rather than O(n) and
// makes our means and standard deviations equal numpy's to the last bit, so results can be
// checked against a numpy or scikit-learn computation without tolerance games.
const BLOCK = 8192;
const UNROLL_LIMIT = 128;

function pairwise(
  values: ArrayLike<number>,
  offset: number,
  count: number,
  stride: number,
): number {
  if (count < 8) {
    let total = 0;
    for (let i = 0; i < count; i++) total += values[offset + i * stride];
    return total;
  }
  if (count <= UNROLL_LIMIT) {
    const at = (i: number): number => values[offset + i * stride];
    let r0 = at(0);
    let r1 = at(1);
    let r2 = at(2);
    let r3 = at(3);
    let r4 = at(4);
    let r5 = at(5);
    let r6 = at(6);
    let r7 = at(7);
    const whole = count - (count % 8);
    let i = 8;
    for (; i < whole; i += 8) {
      r0 += at(i);
      r1 += at(i + 1);
      r2 += at(i + 2);
      r3 += at(i + 3);
      r4 += at(i + 4);
      r5 += at(i + 5);
      r6 += at(i + 6);
      r7 += at(i + 7);
    }
    let total = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < count; i++) total += at(i);
    return total;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return (
    pairwise(values, offset, half, stride) +
    pairwise(values, offset + half * stride, count - half, stride)
  );
}

/**
 * Sum of `count` values starting at `offset`, `stride` apart (a column of a row-major matrix
 * has stride = number of columns), added as numpy's `np.sum` adds a contiguous float64 array.
 */
export function accurateSum(
  values: ArrayLike<number>,
  offset = 0,
  count = values.length,
  stride = 1,
): number {
  let total = 0;
  for (let start = 0; start < count; start += BLOCK) {
    total += pairwise(values, offset + start * stride, Math.min(BLOCK, count - start), stride);
  }
  return total;
}

/** Arithmetic mean, as numpy's `np.mean` computes it. NaN for no values. */
export function accurateMean(
  values: ArrayLike<number>,
  offset = 0,
  count = values.length,
  stride = 1,
): number {
  return accurateSum(values, offset, count, stride) / count;
}

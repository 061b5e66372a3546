/**
 * Distances that differ by less than this fraction are ties. Standardising features makes
 * mathematically equal distances (a school 0.9 above and another 0.9 below the target) differ
 * in the last bits, and which way depends on the arithmetic of whoever computed them; treating
 * them as ties makes "ties by ascending URN" hold whatever the platform.
 */
export const TIE_TOLERANCE = 1e-12;

/**
 * Sorts the first `count` candidates nearest first. A run of distances each within
 * `tolerance` (relative) of the run's first is a tie, ordered by ascending point index, which
 * is ascending URN because populations are stored in URN order.
 */
export function orderByDistanceThenIndex(
  points: Int32Array,
  distances: Float64Array,
  count: number,
  tolerance: number = TIE_TOLERANCE,
): void {
  // Candidates usually arrive sorted already, where insertion sort costs one pass.
  insertionSort(points, distances, 0, count, true);
  let start = 0;
  while (start < count) {
    const limit = distances[start] * (1 + tolerance);
    let end = start + 1;
    while (end < count && distances[end] <= limit) end++;
    if (end - start > 1) insertionSort(points, distances, start, end, false);
    start = end;
  }
}

function insertionSort(
  points: Int32Array,
  distances: Float64Array,
  start: number,
  end: number,
  byDistance: boolean,
): void {
  for (let i = start + 1; i < end; i++) {
    const point = points[i];
    const distance = distances[i];
    let j = i - 1;
    while (j >= start) {
      const other = distances[j];
      const before = byDistance
        ? other > distance || (other === distance && points[j] > point)
        : points[j] > point;
      if (!before) break;
      points[j + 1] = points[j];
      distances[j + 1] = other;
      j--;
    }
    points[j + 1] = point;
    distances[j + 1] = distance;
  }
}

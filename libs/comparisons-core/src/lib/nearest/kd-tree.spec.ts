import { KdTree } from './kd-tree';

/** A small deterministic generator, so failures can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function bruteForce(
  points: Float64Array,
  d: number,
  index: number,
): { point: number; d2: number }[] {
  const n = points.length / d;
  const all: { point: number; d2: number }[] = [];
  for (let p = 0; p < n; p++) {
    if (p === index) continue;
    let d2 = 0;
    for (let j = 0; j < d; j++) {
      const t = points[index * d + j] - points[p * d + j];
      d2 += t * t;
    }
    all.push({ point: p, d2 });
  }
  return all.sort((a, b) => a.d2 - b.d2 || a.point - b.point);
}

describe('KdTree', () => {
  it.each([
    [1, 50, 4],
    [2, 500, 8],
    [5, 3000, 12],
    [7, 800, 1],
  ])('finds the same k nearest as brute force (d = %i, n = %i, leaf %i)', (d, n, leafSize) => {
    const next = random(d * 1000 + n);
    // Coarse values give many equal coordinates and equal distances, as census percentages do.
    const points = Float64Array.from({ length: n * d }, () => Math.round(next() * 20) / 2);
    const tree = new KdTree(points, d, leafSize);
    for (let i = 0; i < n; i += 7) {
      const expected = bruteForce(points, d, i).slice(0, 10);
      const count = tree.nearest(i, 10);
      expect(count).toBe(10);
      expect(Array.from(tree.foundPoints.subarray(0, count))).toEqual(expected.map((e) => e.point));
      expect(Array.from(tree.foundSquaredDistances.subarray(0, count))).toEqual(
        expected.map((e) => e.d2),
      );
    }
  });

  it('includes other points at distance 0 and never the query itself', () => {
    const points = Float64Array.from([0, 0, 0, 0, 0, 0, 5, 5]);
    const tree = new KdTree(points, 2);
    expect(tree.nearest(1, 2)).toBe(2);
    expect(Array.from(tree.foundPoints.subarray(0, 2))).toEqual([0, 2]);
    expect(tree.nearest(3, 10)).toBe(3);
  });

  it('returns everything tied with the k-th when asked for a margin', () => {
    // Around point 0 at the origin: four points at distance 1, one at 2.
    const points = Float64Array.from([0, 0, 1, 0, 0, 1, -1, 0, 0, -1, 2, 0]);
    const tree = new KdTree(points, 2, 1);
    const count = tree.nearestWithMargin(0, 2, 1e-9);
    expect(count).toBe(4);
    expect(Array.from(tree.foundPoints.subarray(0, count))).toEqual([1, 2, 3, 4]);
    expect(tree.within(0, 1)).toBe(4);
    expect(tree.within(0, 0.5)).toBe(0);
  });

  it('lists points leaf by leaf, each once', () => {
    const next = random(3);
    const tree = new KdTree(Float64Array.from({ length: 300 }, next), 3, 4);
    expect(Array.from(tree.pointsInTreeOrder()).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('rejects malformed input', () => {
    expect(() => new KdTree(new Float64Array(5), 2)).toThrow(RangeError);
    expect(() => new KdTree(new Float64Array(4), 0)).toThrow(RangeError);
    expect(() => new KdTree(new Float64Array(4), 2).nearest(9, 1)).toThrow(RangeError);
  });
});

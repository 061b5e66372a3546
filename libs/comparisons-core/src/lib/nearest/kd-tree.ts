/**
 * An exact k-nearest-neighbour index over points in a few dimensions (Euclidean distance).
 *
 * Built once per population, it answers each school's query by visiting only the cells that
 * can hold a closer point than the ones found so far, so a national population of ~17,000
 * schools needs no n × n distance matrix. Layout follows scikit-learn's KDTree: a balanced
 * binary tree stored implicitly in arrays (node i has children 2i+1 and 2i+2), each node a
 * contiguous slice of the points (reordered so a leaf's points sit together in memory) with
 * its bounding box, which gives a lower bound on the distance to anything inside it.
 *
 * Results go to `foundPoints`/`foundSquaredDistances` (overwritten by the next query), sorted by
 * squared distance then point index, so equal distances come back in a fixed order.
 */
export class KdTree {
  readonly size: number;
  readonly dimensions: number;

  private readonly coords: Float64Array;
  private readonly pointAt: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly firstLeaf: number;
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;

  private readonly query: Float64Array;
  private readonly stackNode: Int32Array;
  private readonly stackBound: Float64Array;
  private heapD2: Float64Array = new Float64Array(0);
  private heapPoint: Int32Array = new Int32Array(0);
  private found = 0;
  foundPoints: Int32Array = new Int32Array(16);
  foundSquaredDistances: Float64Array = new Float64Array(16);

  /** `points`: row-major, `dimensions` values per point. The tree keeps its own reordered copy. */
  constructor(points: Float64Array, dimensions: number, leafSize = 8) {
    if (!Number.isInteger(dimensions) || dimensions < 1)
      throw new RangeError('dimensions must be ≥ 1');
    if (points.length % dimensions !== 0)
      throw new RangeError('points.length is not a multiple of dimensions');
    const n = points.length / dimensions;
    const d = dimensions;
    this.size = n;
    this.dimensions = d;
    const levels = n <= leafSize ? 1 : Math.floor(Math.log2((n - 1) / leafSize)) + 1;
    const nodeCount = 2 ** levels - 1;
    this.firstLeaf = 2 ** (levels - 1) - 1;
    this.nodeStart = new Int32Array(nodeCount);
    this.nodeEnd = new Int32Array(nodeCount);
    this.lower = new Float64Array(nodeCount * d);
    this.upper = new Float64Array(nodeCount * d);
    this.query = new Float64Array(d);
    this.stackNode = new Int32Array(levels * 2 + 2);
    this.stackBound = new Float64Array(levels * 2 + 2);

    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.nodeEnd[0] = n;
    for (let node = 0; node < nodeCount; node++) {
      const start = this.nodeStart[node];
      const end = this.nodeEnd[node];
      let widest = 0;
      let widestSpread = -1;
      for (let j = 0; j < d; j++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = start; i < end; i++) {
          const v = points[order[i] * d + j];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        this.lower[node * d + j] = lo;
        this.upper[node * d + j] = hi;
        if (hi - lo > widestSpread) {
          widestSpread = hi - lo;
          widest = j;
        }
      }
      if (node < this.firstLeaf) {
        const mid = start + ((end - start) >> 1);
        selectNth(order, points, d, widest, start, end - 1, mid);
        this.nodeStart[2 * node + 1] = start;
        this.nodeEnd[2 * node + 1] = mid;
        this.nodeStart[2 * node + 2] = mid;
        this.nodeEnd[2 * node + 2] = end;
      }
    }

    this.coords = new Float64Array(n * d);
    this.slotOf = new Int32Array(n);
    for (let slot = 0; slot < n; slot++) {
      const point = order[slot];
      this.coords.set(points.subarray(point * d, point * d + d), slot * d);
      this.slotOf[point] = slot;
    }
    this.pointAt = order;
  }

  /**
   * Point indices leaf by leaf. Querying in this order keeps consecutive queries close in
   * space, so the points and boxes they touch stay in cache.
   */
  pointsInTreeOrder(): Int32Array {
    return this.pointAt.slice();
  }

  /**
   * The `k` points nearest point `index`, itself excluded (other points at distance 0 are
   * included). Returns how many were found: min(k, size − 1).
   */
  nearest(index: number, k: number): number {
    this.loadQuery(index);
    return this.searchNearest(this.slotOf[index], k, 0);
  }

  /**
   * The `k` nearest points of `index` (itself excluded) and every other point whose squared
   * distance is within a factor (1 + `margin`) of the k-th's: the candidates an exact ranking
   * needs when its own distance formula may round differently from this tree's, or when it
   * treats near-equal distances as ties. Costs about the same as `nearest`.
   */
  nearestWithMargin(index: number, k: number, margin: number): number {
    if (!(margin >= 0)) throw new RangeError('margin must be ≥ 0');
    this.loadQuery(index);
    return this.searchNearest(this.slotOf[index], k, margin);
  }

  /** Every point other than `index` with squared distance ≤ `limit`, nearest first. */
  within(index: number, limit: number): number {
    this.loadQuery(index);
    const d = this.dimensions;
    const self = this.slotOf[index];
    const q = this.query;
    const coords = this.coords;
    this.found = 0;
    let sp = 0;
    this.stackNode[sp] = 0;
    this.stackBound[sp++] = 0;
    while (sp > 0) {
      sp--;
      const node = this.stackNode[sp];
      if (this.stackBound[sp] > limit) continue;
      if (node >= this.firstLeaf) {
        const end = this.nodeEnd[node];
        for (let slot = this.nodeStart[node]; slot < end; slot++) {
          if (slot === self) continue;
          let dist = 0;
          const base = slot * d;
          for (let j = 0; j < d; j++) {
            const t = q[j] - coords[base + j];
            dist += t * t;
          }
          if (dist <= limit) this.pushFound(this.pointAt[slot], dist);
        }
      } else {
        for (let child = 2 * node + 1; child <= 2 * node + 2; child++) {
          const bound = this.boxDistance(child);
          if (bound <= limit) {
            this.stackNode[sp] = child;
            this.stackBound[sp++] = bound;
          }
        }
      }
    }
    sortFound(this.foundPoints, this.foundSquaredDistances, this.found);
    return this.found;
  }

  private loadQuery(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`No point ${index} in a tree of ${this.size}`);
    }
    const d = this.dimensions;
    const base = this.slotOf[index] * d;
    for (let j = 0; j < d; j++) this.query[j] = this.coords[base + j];
  }

  private pushFound(point: number, d2: number): void {
    if (this.found === this.foundPoints.length) {
      const points = new Int32Array(this.found * 2);
      points.set(this.foundPoints);
      const d2s = new Float64Array(this.found * 2);
      d2s.set(this.foundSquaredDistances);
      this.foundPoints = points;
      this.foundSquaredDistances = d2s;
    }
    this.foundPoints[this.found] = point;
    this.foundSquaredDistances[this.found++] = d2;
  }

  /** Squared distance from the query to the node's bounding box (0 inside it). */
  private boxDistance(node: number): number {
    const d = this.dimensions;
    const base = node * d;
    let total = 0;
    for (let j = 0; j < d; j++) {
      const v = this.query[j];
      const lo = this.lower[base + j];
      const hi = this.upper[base + j];
      const t = v < lo ? lo - v : v > hi ? v - hi : 0;
      total += t * t;
    }
    return total;
  }

  private searchNearest(self: number, wanted: number, margin: number): number {
    this.found = 0;
    const k = Math.min(wanted, this.size - 1);
    if (k <= 0) return 0;
    if (this.heapD2.length < k) {
      this.heapD2 = new Float64Array(k);
      this.heapPoint = new Int32Array(k);
    }
    const heapD2 = this.heapD2;
    const heapPoint = this.heapPoint;
    const d = this.dimensions;
    const q = this.query;
    const coords = this.coords;
    const pointAt = this.pointAt;
    // Locals, not fields, in the hot loop: V8 keeps them in registers.
    const stackNode = this.stackNode;
    const stackBound = this.stackBound;
    const nodeStart = this.nodeStart;
    const nodeEnd = this.nodeEnd;
    const lower = this.lower;
    const upper = this.upper;
    const firstLeaf = this.firstLeaf;
    const widen = 1 + margin;
    let count = 0;
    // `worst`: the k-th smallest squared distance so far; `limit`: how far a point may be and
    // still matter (the k-th, widened by the margin). Points between the two are kept aside.
    let worst = Infinity;
    let limit = Infinity;
    let sp = 0;
    stackNode[sp] = 0;
    stackBound[sp++] = 0;
    while (sp > 0) {
      sp--;
      const node = stackNode[sp];
      // Equal bounds are still searched: a point at the same distance with a lower index wins.
      if (stackBound[sp] > limit) continue;
      if (node >= firstLeaf) {
        const end = nodeEnd[node];
        for (let slot = nodeStart[node]; slot < end; slot++) {
          if (slot === self) continue;
          let dist = 0;
          const base = slot * d;
          // Stop adding once the point is already beyond the limit.
          for (let j = 0; j < d && dist <= limit; j++) {
            const t = q[j] - coords[base + j];
            dist += t * t;
          }
          const point = pointAt[slot];
          if (count < k) {
            heapPush(heapD2, heapPoint, count++, dist, point);
            if (count === k) {
              worst = heapD2[0];
              limit = worst * widen;
            }
          } else if (dist < worst || (dist === worst && point < heapPoint[0])) {
            const evictedD2 = heapD2[0];
            const evicted = heapPoint[0];
            heapReplaceTop(heapD2, heapPoint, k, dist, point);
            worst = heapD2[0];
            limit = worst * widen;
            if (margin > 0 && evictedD2 <= limit) this.pushFound(evicted, evictedD2);
          } else if (margin > 0 && dist <= limit) {
            this.pushFound(point, dist);
          }
        }
      } else {
        const left = 2 * node + 1;
        const right = left + 1;
        // Squared distance from the query to each child's bounding box (0 inside it).
        let toLeft = 0;
        let toRight = 0;
        const leftBase = left * d;
        const rightBase = right * d;
        for (let j = 0; j < d; j++) {
          const v = q[j];
          let lo = lower[leftBase + j];
          let hi = upper[leftBase + j];
          let t = v < lo ? lo - v : v > hi ? v - hi : 0;
          toLeft += t * t;
          lo = lower[rightBase + j];
          hi = upper[rightBase + j];
          t = v < lo ? lo - v : v > hi ? v - hi : 0;
          toRight += t * t;
        }
        // Push the farther child first so the nearer one is searched first.
        const nearFirst = toLeft <= toRight;
        const farBound = nearFirst ? toRight : toLeft;
        if (farBound <= limit) {
          stackNode[sp] = nearFirst ? right : left;
          stackBound[sp++] = farBound;
        }
        const nearBound = nearFirst ? toLeft : toRight;
        if (nearBound <= limit) {
          stackNode[sp] = nearFirst ? left : right;
          stackBound[sp++] = nearBound;
        }
      }
    }
    // Points set aside earlier may have fallen out of the final limit.
    let kept = 0;
    for (let i = 0; i < this.found; i++) {
      if (this.foundSquaredDistances[i] <= limit) {
        this.foundPoints[kept] = this.foundPoints[i];
        this.foundSquaredDistances[kept++] = this.foundSquaredDistances[i];
      }
    }
    this.found = kept;
    for (let i = 0; i < count; i++) this.pushFound(heapPoint[i], heapD2[i]);
    sortFound(this.foundPoints, this.foundSquaredDistances, this.found);
    return this.found;
  }
}

function after(d2a: number, pa: number, d2b: number, pb: number): boolean {
  return d2a > d2b || (d2a === d2b && pa > pb);
}

/** Max-heap on (squared distance, point): the root is the worst of the k kept so far. */
function heapPush(
  d2s: Float64Array,
  points: Int32Array,
  at: number,
  d2: number,
  point: number,
): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!after(d2, point, d2s[parent], points[parent])) break;
    d2s[i] = d2s[parent];
    points[i] = points[parent];
    i = parent;
  }
  d2s[i] = d2;
  points[i] = point;
}

function heapReplaceTop(
  d2s: Float64Array,
  points: Int32Array,
  size: number,
  d2: number,
  point: number,
): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && after(d2s[right], points[right], d2s[left], points[left])) {
      child = right;
    }
    if (!after(d2s[child], points[child], d2, point)) break;
    d2s[i] = d2s[child];
    points[i] = points[child];
    i = child;
  }
  d2s[i] = d2;
  points[i] = point;
}

/** Sorts found points by (squared distance, point): insertion sort for the usual short lists. */
function sortFound(points: Int32Array, d2s: Float64Array, count: number): void {
  if (count > 32) {
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => d2s[a] - d2s[b] || points[a] - points[b],
    );
    const sortedPoints = order.map((i) => points[i]);
    const sortedD2 = order.map((i) => d2s[i]);
    points.set(sortedPoints);
    d2s.set(sortedD2);
    return;
  }
  for (let i = 1; i < count; i++) {
    const d2 = d2s[i];
    const point = points[i];
    let j = i - 1;
    while (j >= 0 && after(d2s[j], points[j], d2, point)) {
      d2s[j + 1] = d2s[j];
      points[j + 1] = points[j];
      j--;
    }
    d2s[j + 1] = d2;
    points[j + 1] = point;
  }
}

/**
 * Rearranges `order[left..right]` so the point at position `nth` has the value it would have
 * if sorted on dimension `dim`, smaller-or-equal ones before it and larger-or-equal after.
 */
function selectNth(
  order: Int32Array,
  points: Float64Array,
  d: number,
  dim: number,
  left: number,
  right: number,
  nth: number,
): void {
  const key = (i: number): number => points[order[i] * d + dim];
  const swap = (a: number, b: number): void => {
    const t = order[a];
    order[a] = order[b];
    order[b] = t;
  };
  let lo = left;
  let hi = right;
  while (hi > lo) {
    // Median of three as pivot keeps sorted input (URN order often follows LA) from going quadratic.
    const mid = lo + ((hi - lo) >> 1);
    if (key(mid) < key(lo)) swap(mid, lo);
    if (key(hi) < key(lo)) swap(hi, lo);
    if (key(hi) < key(mid)) swap(hi, mid);
    const pivot = key(mid);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

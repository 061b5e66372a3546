import { SimilarSchoolGroups } from '../groups/similar-school-groups';
import { ComparisonInputError } from '../methods/comparison-input-error';
import type {
  ComparisonMethod,
  GroupingOptions,
  PopulationRequirements,
} from '../methods/comparison-method';
import { checkGroupSize } from '../methods/group-size';
import { KdTree } from '../nearest/kd-tree';
import { orderByDistanceThenIndex } from '../nearest/tie-order';
import { featureColumn, type SchoolPopulation } from '../population/school-population';
import { median } from '../statistics/quantiles';

/** DfE FBIT pupil comparator variables and weights (non-special schools). */
export const FBIT_PUPIL_FEATURES: readonly string[] = ['pupils', 'pct_fsm', 'pct_sen'];
export const FBIT_PUPIL_WEIGHTS: readonly number[] = [0.5, 0.4, 0.1];
/** DfE's BASE_SET_SIZE and FINAL_SET_SIZE (the final set includes the school itself). */
export const FBIT_BASE_SET_SIZE = 60;
export const FBIT_FINAL_SET_SIZE = 30;

// The tree ranks on rescaled coordinates that round differently from DfE's formula; taking
// every point within this relative margin of the 60th makes the exact re-ranking complete.
const CANDIDATE_MARGIN = 1e-9;

export interface FilledFeatures {
  /** n × 3 values with missing ones replaced by the population median. */
  readonly values: Float64Array;
  readonly medians: readonly number[];
  /** max − min over the population, after filling. */
  readonly ranges: readonly number[];
  readonly filled: readonly number[];
}

/** DfE's `fillna_median`: a missing value becomes the median of the present ones. */
export function fillWithMedians(
  population: SchoolPopulation,
  features: readonly string[] = FBIT_PUPIL_FEATURES,
): FilledFeatures {
  const n = population.urns.length;
  const stride = population.features.length;
  const d = features.length;
  const values = new Float64Array(n * d);
  const medians: number[] = [];
  const ranges: number[] = [];
  const filled: number[] = [];
  features.forEach((feature, j) => {
    const column = featureColumn(population, feature);
    const present: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = population.values[i * stride + column];
      if (!Number.isNaN(v)) present.push(v);
    }
    if (present.length === 0) {
      throw new ComparisonInputError(`No school in the population has a value for ${feature}`);
    }
    const middle = median(present);
    let lo = Infinity;
    let hi = -Infinity;
    let count = 0;
    for (let i = 0; i < n; i++) {
      let v = population.values[i * stride + column];
      if (Number.isNaN(v)) {
        v = middle;
        count++;
      }
      values[i * d + j] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    medians.push(middle);
    ranges.push(hi - lo);
    filled.push(count);
  });
  return { values, medians, ranges, filled };
}

/**
 * One term of DfE's pupil distance, computed in DfE's order: w · (|Δ| / range)². A variable
 * with range 0 is the same for every school and adds nothing (DfE's code would divide by 0).
 */
function term(a: number, b: number, range: number, weight: number): number {
  if (range === 0) return 0;
  const t = Math.abs(a - b) / range;
  return weight * (t * t);
}

const ID = 'fbit-pupil-v1';
// The set is 30 schools including the school itself.
const MAX_K = FBIT_FINAL_SET_SIZE - 1;

/**
 * `fbit-pupil-v1` (SPEC §8): DfE's Financial Benchmarking and Insights Tool pupil comparator
 * set, as DfE's data pipeline computes it (comparator_sets/calculations.py), without its
 * n × n distance matrices. The group is the set minus the school itself: up to 29 schools.
 */
export const fbitPupilV1: ComparisonMethod = {
  name: 'fbit-pupil',
  version: 1,
  id: ID,
  title: 'DfE FBIT pupil comparator set (pupils, % FSM, % SEN; own region first)',
  defaultK: MAX_K,
  maxK: MAX_K,

  requirements(options: GroupingOptions = {}): PopulationRequirements {
    rejectWeights(options);
    return { features: [...FBIT_PUPIL_FEATURES], regions: true, missing: 'keep' };
  },

  findGroups(population: SchoolPopulation, options: GroupingOptions = {}): SimilarSchoolGroups {
    rejectWeights(options);
    const n = population.urns.length;
    // Fewer than 30 schools give smaller sets, as in DfE's code.
    const k = checkGroupSize(options.k ?? Math.min(MAX_K, n - 1), n, ID, MAX_K);
    const regions = population.regions;
    if (!regions)
      throw new ComparisonInputError('fbit-pupil-v1 needs each school’s government office region');
    const d = FBIT_PUPIL_FEATURES.length;
    const { values, ranges } = fillWithMedians(population);
    const [pupilRange, fsmRange, senRange] = ranges as [number, number, number];
    const [pupilWeight, fsmWeight, senWeight] = FBIT_PUPIL_WEIGHTS as [number, number, number];

    // Coordinates whose Euclidean distance is DfE's distance (up to rounding).
    const coords = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const range = ranges[j];
        const weight = FBIT_PUPIL_WEIGHTS[j];
        coords[i * d + j] = range === 0 ? 0 : (values[i * d + j] / range) * Math.sqrt(weight);
      }
    }
    const tree = new KdTree(coords, d);
    const baseSize = Math.min(FBIT_BASE_SET_SIZE, n - 1);
    const distance = (a: number, b: number): number => {
      const pupil = term(values[a * d], values[b * d], pupilRange, pupilWeight);
      const meal = term(values[a * d + 1], values[b * d + 1], fsmRange, fsmWeight);
      const sen = term(values[a * d + 2], values[b * d + 2], senRange, senWeight);
      return Math.sqrt(pupil + meal + sen);
    };

    // Every set has min(29, n − 1) others and k is at most that, so each group has k members.
    const offsets = Int32Array.from({ length: n + 1 }, (_, i) => i * k);
    const members = new Int32Array(n * k);
    const distances = new Float64Array(n * k);
    const shares = new Float64Array(n * k * d);
    let candidates = new Int32Array(baseSize + 8);
    let candidateDistances = new Float64Array(baseSize + 8);
    const inRegion: number[] = [];
    const elsewhere: number[] = [];
    const order = tree.pointsInTreeOrder();
    for (let at = 0; at < n; at++) {
      const i = order[at];
      const count = tree.nearestWithMargin(i, baseSize, CANDIDATE_MARGIN);
      if (candidates.length < count) {
        candidates = new Int32Array(count);
        candidateDistances = new Float64Array(count);
      }
      for (let c = 0; c < count; c++) {
        const other = tree.foundPoints[c];
        candidates[c] = other;
        candidateDistances[c] = distance(i, other);
      }
      // The 60 nearest other schools: distance, then ascending URN.
      orderByDistanceThenIndex(candidates, candidateDistances, count);

      // Own region first, in distance order; then the rest of the 60 until the set has 30.
      inRegion.length = 0;
      elsewhere.length = 0;
      const region = regions[i];
      for (let c = 0; c < baseSize; c++) {
        const other = candidates[c];
        if (region !== undefined && regions[other] === region) inRegion.push(c);
        else elsewhere.push(c);
      }
      const set = inRegion.slice(0, FBIT_FINAL_SET_SIZE - 1);
      for (const c of elsewhere) {
        if (set.length >= FBIT_FINAL_SET_SIZE - 1) break;
        set.push(c);
      }
      set.slice(0, k).forEach((c, r) => {
        const other = candidates[c];
        const at = i * k + r;
        members[at] = other;
        distances[at] = candidateDistances[c];
        const pupil = term(values[i * d], values[other * d], pupilRange, pupilWeight);
        const meal = term(values[i * d + 1], values[other * d + 1], fsmRange, fsmWeight);
        const sen = term(values[i * d + 2], values[other * d + 2], senRange, senWeight);
        const total = pupil + meal + sen;
        shares[at * d] = total > 0 ? pupil / total : 0;
        shares[at * d + 1] = total > 0 ? meal / total : 0;
        shares[at * d + 2] = total > 0 ? sen / total : 0;
      });
    }
    return new SimilarSchoolGroups(
      ID,
      population.urns,
      [...FBIT_PUPIL_FEATURES],
      offsets,
      members,
      distances,
      shares,
    );
  },
};

function rejectWeights(options: GroupingOptions): void {
  if (options.weights !== undefined || options.features !== undefined) {
    throw new ComparisonInputError(
      'fbit-pupil-v1 uses DfE’s fixed variables and weights (pupils 0.5, % FSM 0.4, % SEN 0.1); do not pass features or weights',
    );
  }
}

import { SimilarSchoolGroups, type ExcludedFromGroups } from '../groups/similar-school-groups';
import { ComparisonInputError } from '../methods/comparison-input-error';
import type {
  ComparisonMethod,
  GroupingOptions,
  PopulationRequirements,
} from '../methods/comparison-method';
import { checkGroupSize } from '../methods/group-size';
import { KdTree } from '../nearest/kd-tree';
import { orderByDistanceThenIndex, TIE_TOLERANCE } from '../nearest/tie-order';
import { featureColumn, type SchoolPopulation } from '../population/school-population';
import { accurateSum } from '../statistics/summation';

/** SPEC §8 default features: % FSM ever, % EAL, % SEN support, % EHC plan, ln pupils on roll. */
export const CONTEXT_KNN_DEFAULT_FEATURES: readonly string[] = [
  'pct_fsm_ever',
  'pct_eal',
  'pct_sen_support',
  'pct_ehc_plan',
  'ln_pupils',
];

export interface StandardisedFeatures {
  /** n × d row-major weighted z-scores. */
  readonly scores: Float64Array;
  readonly means: readonly number[];
  /** Population standard deviations (divide by n). */
  readonly sds: readonly number[];
}

/**
 * z = (x − mean) / sd with the population sd, times the feature's weight. A feature with sd 0
 * carries no information and gets z = 0 (as scikit-learn's StandardScaler does).
 */
export function standardise(
  values: Float64Array,
  rows: number,
  columns: readonly number[],
  stride: number,
  weights: readonly number[],
): StandardisedFeatures {
  const d = columns.length;
  const scores = new Float64Array(rows * d);
  const deviations = new Float64Array(rows);
  const means: number[] = [];
  const sds: number[] = [];
  columns.forEach((column, j) => {
    const mean = accurateSum(values, column, rows, stride) / rows;
    for (let i = 0; i < rows; i++) {
      const deviation = values[i * stride + column] - mean;
      deviations[i] = deviation * deviation;
    }
    const sd = Math.sqrt(accurateSum(deviations) / rows);
    const weight = weights[j];
    for (let i = 0; i < rows; i++) {
      const z = sd > 0 ? (values[i * stride + column] - mean) / sd : 0;
      scores[i * d + j] = z * weight;
    }
    means.push(mean);
    sds.push(sd);
  });
  return { scores, means, sds };
}

function resolveFeatures(options: GroupingOptions): { features: string[]; weights: number[] } {
  const features = [...(options.features ?? CONTEXT_KNN_DEFAULT_FEATURES)];
  if (features.length === 0)
    throw new ComparisonInputError('context-knn-v1 needs at least one feature');
  if (new Set(features).size !== features.length) {
    throw new ComparisonInputError(`A feature is listed twice: ${features.join(', ')}`);
  }
  const named = Object.keys(options.weights ?? {});
  const unknown = named.filter((f) => !features.includes(f));
  if (unknown.length > 0) {
    throw new ComparisonInputError(`Weights given for features not used: ${unknown.join(', ')}`);
  }
  const weights = features.map((f) => options.weights?.[f] ?? 1);
  if (weights.some((w) => !Number.isFinite(w) || w < 0) || weights.every((w) => w === 0)) {
    throw new ComparisonInputError('Weights must be finite, not negative, and not all 0');
  }
  return { features, weights };
}

const ID = 'context-knn-v1';
const DEFAULT_K = 20;

/**
 * `context-knn-v1` (SPEC §8): weighted z-score Euclidean distance over context features; each
 * school's group is its k nearest other schools, nearest first, ties by ascending URN; each
 * member carries its distance and each feature's share of the squared distance.
 */
export const contextKnnV1: ComparisonMethod = {
  name: 'context-knn',
  version: 1,
  id: ID,
  title:
    'k nearest schools on standardised context (FSM ever, EAL, SEN support, EHC plan, ln pupils)',
  defaultK: DEFAULT_K,

  requirements(options: GroupingOptions = {}): PopulationRequirements {
    return { features: resolveFeatures(options).features, regions: false, missing: 'drop' };
  },

  findGroups(population: SchoolPopulation, options: GroupingOptions = {}): SimilarSchoolGroups {
    const { features, weights } = resolveFeatures(options);
    const stride = population.features.length;
    const columns = features.map((f) => featureColumn(population, f));
    const d = features.length;

    // Step 1: the population is the schools with every feature present.
    const included: number[] = [];
    const excluded: ExcludedFromGroups[] = [];
    for (let i = 0; i < population.urns.length; i++) {
      let complete = true;
      for (const column of columns)
        complete &&= !Number.isNaN(population.values[i * stride + column]);
      if (complete) {
        included.push(i);
        continue;
      }
      const missing = features.filter((_, j) =>
        Number.isNaN(population.values[i * stride + columns[j]]),
      );
      excluded.push({ urn: population.urns[i], reason: `missing ${missing.join(', ')}` });
    }
    const n = included.length;
    const k = checkGroupSize(options.k ?? Math.min(DEFAULT_K, n - 1), n, ID);
    // Only the used columns, in feature order.
    const values = new Float64Array(n * d);
    const urns = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = included[i];
      urns[i] = population.urns[row];
      for (let j = 0; j < d; j++) values[i * d + j] = population.values[row * stride + columns[j]];
    }
    const own = Array.from({ length: d }, (_, j) => j);

    // Steps 3–4: weighted z-scores; Euclidean distance between them.
    const { scores } = standardise(values, n, own, d, weights);
    const tree = new KdTree(scores, d);

    const offsets = new Int32Array(n + 1);
    const members = new Int32Array(n * k);
    const distances = new Float64Array(n * k);
    const shares = new Float64Array(n * k * d);
    let candidates = new Int32Array(k + 8);
    let candidateDistances = new Float64Array(k + 8);
    const order = tree.pointsInTreeOrder();
    for (let at = 0; at < n; at++) {
      const i = order[at];
      // Ties are judged on distance (relative TIE_TOLERANCE), so ask for squared distances a
      // little beyond the k-th: anything that could tie with it.
      const count = tree.nearestWithMargin(i, k, 4 * TIE_TOLERANCE);
      if (candidates.length < count) {
        candidates = new Int32Array(count);
        candidateDistances = new Float64Array(count);
      }
      // The tree sums (q_j − p_j)² over features in order, exactly the distance formula.
      for (let c = 0; c < count; c++) {
        candidates[c] = tree.foundPoints[c];
        candidateDistances[c] = Math.sqrt(tree.foundSquaredDistances[c]);
      }
      // Step 5: nearest first, ties by ascending URN.
      orderByDistanceThenIndex(candidates, candidateDistances, count);
      const base = i * k;
      for (let r = 0; r < k; r++) {
        const other = candidates[r];
        const distance = candidateDistances[r];
        members[base + r] = other;
        distances[base + r] = distance;
        // Step 6: each feature's share of the squared distance.
        const squared = squaredDistance(scores, d, i, other);
        for (let j = 0; j < d; j++) {
          const t = scores[i * d + j] - scores[other * d + j];
          shares[(base + r) * d + j] = squared > 0 ? (t * t) / squared : 0;
        }
      }
    }
    for (let i = 0; i <= n; i++) offsets[i] = i * k;
    return new SimilarSchoolGroups(
      ID,
      urns,
      features,
      offsets,
      members,
      distances,
      shares,
      excluded,
    );
  },
};

/** Σ (a_j − b_j)² over features in order, as scikit-learn's KD tree sums it. */
function squaredDistance(scores: Float64Array, d: number, a: number, b: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    const t = scores[a * d + j] - scores[b * d + j];
    total += t * t;
  }
  return total;
}

import { ComparisonInputError } from '../methods/comparison-input-error';
import { accurateSum } from './summation';

export interface LinearModel {
  readonly intercept: number;
  readonly coefficients: readonly number[];
  /** Observations used to fit. */
  readonly n: number;
  readonly rSquared: number;
  /** √(Σ residual² / (n − p − 1)); undefined when n = p + 1. */
  readonly residualStandardError: number | undefined;
  predict(features: readonly number[]): number;
}

/**
 * Ordinary least squares of `outcomes` on `rows` (one row of features per observation) with an
 * intercept. Solved by Householder QR on centred, unit-length columns: centring removes the
 * intercept's collinearity with large-valued features, and QR avoids forming XᵀX, whose
 * condition number is the square of X's. Collinear or constant features are an error rather
 * than an arbitrary answer.
 */
export function fitLeastSquares(
  rows: readonly (readonly number[])[],
  outcomes: readonly number[],
): LinearModel {
  const n = rows.length;
  const p = rows[0]?.length ?? 0;
  if (n !== outcomes.length)
    throw new ComparisonInputError(`${n} feature rows but ${outcomes.length} outcomes`);
  if (n < p + 1) {
    throw new ComparisonInputError(
      `A regression on ${p} features needs at least ${p + 1} observations; got ${n}`,
    );
  }
  for (const row of rows) {
    if (row.length !== p)
      throw new ComparisonInputError('Every row needs the same number of features');
    if (row.some((v) => !Number.isFinite(v)))
      throw new ComparisonInputError('Features must be finite numbers');
  }
  if (outcomes.some((v) => !Number.isFinite(v)))
    throw new ComparisonInputError('Outcomes must be finite numbers');

  // Column-major centred and scaled design matrix.
  const means: number[] = [];
  const scales: number[] = [];
  const a = new Float64Array(n * p);
  const column = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) column[i] = rows[i]?.[j];
    const mean = accurateSum(column) / n;
    for (let i = 0; i < n; i++) column[i] = column[i] - mean;
    const norm = Math.sqrt(accurateSum(column.map((v) => v * v)));
    if (norm === 0)
      throw new ComparisonInputError(`Feature ${j + 1} is constant: it cannot be fitted`);
    for (let i = 0; i < n; i++) a[j * n + i] = column[i] / norm;
    means.push(mean);
    scales.push(norm);
  }
  const meanOutcome = accurateSum(outcomes) / n;
  const y = Float64Array.from(outcomes, (v) => v - meanOutcome);
  const totalSquares = accurateSum(y.map((v) => v * v));

  // Householder QR, applying each reflection to the remaining columns and to y.
  const diagonal = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const base = j * n;
    let norm = 0;
    for (let i = j; i < n; i++) norm = Math.hypot(norm, a[base + i]);
    const alpha = a[base + j] > 0 ? -norm : norm;
    // v = x − alpha·e1, stored in place of the column below the diagonal.
    a[base + j] = a[base + j] - alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += a[base + i] ** 2;
    diagonal[j] = alpha;
    // Columns were scaled to length 1, so an absolute threshold is a relative one.
    if (Math.abs(alpha) < 1e-10 || vv === 0) {
      throw new ComparisonInputError(
        `Feature ${j + 1} is (nearly) a combination of the others: it cannot be fitted`,
      );
    }
    const reflect = (target: Float64Array, offset: number): void => {
      let dot = 0;
      for (let i = j; i < n; i++) dot += a[base + i] * target[offset + i];
      const factor = (2 * dot) / vv;
      for (let i = j; i < n; i++) target[offset + i] = target[offset + i] - factor * a[base + i];
    };
    for (let c = j + 1; c < p; c++) reflect(a, c * n);
    reflect(y, 0);
  }

  // Back substitution: R b = (Qᵀy)[0..p), R's diagonal in `diagonal`, above it in `a`.
  const scaled = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let total = y[j];
    for (let c = j + 1; c < p; c++) total -= a[c * n + j] * scaled[c];
    scaled[j] = total / diagonal[j];
  }
  const coefficients = Array.from(scaled, (b, j) => b / scales[j]);
  const intercept = meanOutcome - coefficients.reduce((sum, b, j) => sum + b * means[j], 0);
  const predict = (features: readonly number[]): number => {
    if (features.length !== p)
      throw new ComparisonInputError(`The model has ${p} features; got ${features.length}`);
    return features.reduce((sum, x, j) => sum + coefficients[j] * x, intercept);
  };
  const residualSquares = accurateSum(rows.map((row, i) => (outcomes[i] - predict(row)) ** 2));
  return {
    intercept,
    coefficients,
    n,
    rSquared: totalSquares === 0 ? 1 : 1 - residualSquares / totalSquares,
    residualStandardError: n > p + 1 ? Math.sqrt(residualSquares / (n - p - 1)) : undefined,
    predict,
  };
}

export interface ContextualExpectation {
  readonly expected: number;
  /** Actual minus expected: "contextual value added". */
  readonly residual: number;
}

export function contextualExpectation(
  model: LinearModel,
  features: readonly number[],
  actual: number,
): ContextualExpectation {
  const expected = model.predict(features);
  return { expected, residual: actual - expected };
}

import { ComparisonInputError } from '../methods/comparison-input-error';
import { featureColumn, type SchoolPopulation } from '../population/school-population';
import { fitLeastSquares, type LinearModel } from './least-squares';
import {
  isSuppressionCode,
  noSuppression,
  usableNumber,
  type ObservedValue,
  type SuppressionCounts,
} from './observed-value';

export interface ContextualModel {
  readonly model: LinearModel;
  readonly features: readonly string[];
  /** URNs of the schools the model was fitted on. */
  readonly urns: readonly number[];
  readonly suppressed: SuppressionCounts;
  /** Schools with no outcome, or a missing feature. */
  readonly missing: number;
}

/**
 * OLS of an outcome on context features over a population (SPEC §8 contextual expectation).
 * Schools whose outcome is suppressed or missing, or with a missing feature, are left out.
 */
export function fitContextualModel(
  population: SchoolPopulation,
  outcomes: ReadonlyMap<number, ObservedValue>,
  features: readonly string[] = population.features,
): ContextualModel {
  const stride = population.features.length;
  const columns = features.map((f) => featureColumn(population, f));
  const rows: number[][] = [];
  const ys: number[] = [];
  const urns: number[] = [];
  const suppressed = noSuppression();
  let missing = 0;
  population.urns.forEach((urn, i) => {
    const observed = outcomes.get(urn);
    const y = usableNumber(observed);
    const x = columns.map((c) => population.values[i * stride + c]);
    if (isSuppressionCode(observed)) suppressed[observed]++;
    else if (y === undefined || x.some(Number.isNaN)) missing++;
    if (y === undefined || x.some(Number.isNaN)) return;
    rows.push(x);
    ys.push(y);
    urns.push(urn);
  });
  if (rows.length === 0)
    throw new ComparisonInputError('No school has both the outcome and every feature');
  return { model: fitLeastSquares(rows, ys), features: [...features], urns, suppressed, missing };
}

/** The model's expectation for one school of the population, and its residual if it has a value. */
export function expectationFor(
  contextual: ContextualModel,
  population: SchoolPopulation,
  urn: number,
  actual: ObservedValue,
): { expected: number; residual: number | undefined } | undefined {
  const row = population.urns.indexOf(urn);
  if (row === -1) return undefined;
  const stride = population.features.length;
  const x = contextual.features.map(
    (f) => population.values[row * stride + featureColumn(population, f)],
  );
  if (x.some(Number.isNaN)) return undefined;
  const expected = contextual.model.predict(x);
  const value = usableNumber(actual);
  return { expected, residual: value === undefined ? undefined : value - expected };
}

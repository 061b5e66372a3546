import type { GovernmentOfficeRegion } from '@schoolbench/la-register';

import { ComparisonInputError } from '../methods/comparison-input-error';

/**
 * The schools a comparison runs over, one row per school in ascending URN order, with one
 * column per feature. Flat row-major storage (`values[row * features.length + column]`) keeps
 * national populations compact and fast to scan. NaN marks a missing value.
 */
export interface SchoolPopulation {
  readonly urns: Int32Array;
  readonly features: readonly string[];
  readonly values: Float64Array;
  /** Government office region of each school, when the method needs it. */
  readonly regions?: readonly (GovernmentOfficeRegion | undefined)[];
}

export interface SchoolRowInput {
  readonly urn: number;
  readonly values: readonly number[];
  readonly region?: GovernmentOfficeRegion;
}

/** Builds a population from rows in any order; URNs must be unique positive integers. */
export function schoolPopulation(
  features: readonly string[],
  rows: readonly SchoolRowInput[],
  options: { withRegions?: boolean } = {},
): SchoolPopulation {
  const sorted = [...rows].sort((a, b) => a.urn - b.urn);
  const d = features.length;
  const urns = new Int32Array(sorted.length);
  const values = new Float64Array(sorted.length * d);
  sorted.forEach((row, i) => {
    if (!Number.isInteger(row.urn) || row.urn <= 0 || row.urn > 0x7fffffff) {
      throw new ComparisonInputError(`URN ${row.urn} is not a positive whole number`);
    }
    if (i > 0 && sorted[i - 1]?.urn === row.urn) {
      throw new ComparisonInputError(`URN ${row.urn} appears more than once in the population`);
    }
    if (row.values.length !== d) {
      throw new ComparisonInputError(
        `URN ${row.urn} has ${row.values.length} values for ${d} features`,
      );
    }
    urns[i] = row.urn;
    values.set(row.values, i * d);
  });
  const population: SchoolPopulation = { urns, features: [...features], values };
  return options.withRegions
    ? { ...population, regions: sorted.map((row) => row.region) }
    : population;
}

/** Column index of a feature, or a clear error naming what the population has. */
export function featureColumn(population: SchoolPopulation, feature: string): number {
  const at = population.features.indexOf(feature);
  if (at === -1) {
    throw new ComparisonInputError(
      `The population has no feature "${feature}" (it has ${population.features.join(', ')})`,
    );
  }
  return at;
}

import type { LaRegister } from '@schoolbench/la-register';

import type { SimilarSchoolGroups } from '../groups/similar-school-groups';
import { ComparisonInputError } from '../methods/comparison-input-error';
import type { ComparisonMethod, GroupingOptions } from '../methods/comparison-method';
import { censusPopulation, type CensusPopulation } from './census-population';
import type { CensusTable } from './census-table';

export interface CensusGroups {
  readonly census: CensusPopulation;
  readonly groups: SimilarSchoolGroups;
}

/** The population a method asks for, built from a census, and the method's groups over it. */
export function groupsFromCensus(
  table: CensusTable,
  method: ComparisonMethod,
  options: GroupingOptions & { readonly schoolType: string; readonly register?: LaRegister },
): CensusGroups {
  const { schoolType, register, ...grouping } = options;
  const needs = method.requirements(grouping);
  if (needs.regions && !register) {
    throw new ComparisonInputError(
      `${method.id} needs the LA register to give schools their region`,
    );
  }
  const census = censusPopulation(table, {
    schoolType,
    features: needs.features,
    missing: needs.missing,
    ...(needs.regions ? { register } : {}),
  });
  return { census, groups: method.findGroups(census.population, grouping) };
}

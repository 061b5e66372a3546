import type { LaRegister } from '@schoolbench/la-register';

import { ComparisonInputError } from '../methods/comparison-input-error';
import { censusFeature } from './census-features';
import {
  censusColumns,
  censusSchoolRows,
  censusSchoolTypes,
  type CensusTable,
} from './census-table';
import { parseCensusNumber } from './census-value';
import { schoolPopulation, type SchoolPopulation, type SchoolRowInput } from './school-population';

export interface CensusPopulationOptions {
  /** Exact SCHOOLTYPE, e.g. "State-funded primary" (case and spaces around it ignored). */
  readonly schoolType: string;
  /** Feature codes from `CENSUS_FEATURES`, in column order. */
  readonly features: readonly string[];
  /** `drop`: leave out schools with any feature missing; `keep`: keep them with NaN. */
  readonly missing: 'drop' | 'keep';
  /** Needed to give each school its government office region (from the census LA column). */
  readonly register?: LaRegister;
}

export interface ExcludedSchool {
  readonly urn: number;
  readonly reason: string;
}

export interface CensusPopulation {
  readonly schoolType: string;
  readonly population: SchoolPopulation;
  readonly excluded: readonly ExcludedSchool[];
}

/** Schools of one SCHOOLTYPE with the features a comparison method asks for. */
export function censusPopulation(
  table: CensusTable,
  options: CensusPopulationOptions,
): CensusPopulation {
  const types = censusSchoolTypes(table);
  const wanted = options.schoolType.trim().toLowerCase();
  const schoolType = [...types.keys()].find((type) => type.toLowerCase() === wanted);
  if (schoolType === undefined) {
    const available = [...types].map(([type, n]) => `${type} (${n})`).join(', ');
    throw new ComparisonInputError(
      `No schools of type "${options.schoolType}" in ${table.source}; available: ${available}`,
      { available: [...types.keys()] },
    );
  }
  const features = options.features.map(censusFeature);
  const columns = [...new Set(['URN', 'SCHOOLTYPE', ...features.flatMap((f) => f.columns)])];
  if (options.register) columns.push('LA');
  const indices = censusColumns(table, columns);
  const at = new Map(columns.map((name, i) => [name, indices[i]]));
  const index = (name: string): number => at.get(name) as number;

  const rows: SchoolRowInput[] = [];
  const excluded: ExcludedSchool[] = [];
  for (const row of censusSchoolRows(table)) {
    if ((row[index('SCHOOLTYPE')] ?? '').trim() !== schoolType) continue;
    const urn = Number(row[index('URN')]);
    const cell = (column: string): number | undefined => parseCensusNumber(row[index(column)]);
    const values = features.map((feature) => feature.derive(cell));
    const missing = features.filter((_, i) => Number.isNaN(values[i]));
    if (options.missing === 'drop' && missing.length > 0) {
      excluded.push({ urn, reason: `missing ${missing.map((f) => f.code).join(', ')}` });
      continue;
    }
    const region = options.register?.regionOf((row[index('LA')] ?? '').trim());
    rows.push(region === undefined ? { urn, values } : { urn, values, region });
  }
  const population = schoolPopulation(
    features.map((f) => f.code),
    rows,
    { withRegions: options.register !== undefined },
  );
  return { schoolType, population, excluded };
}

import type { SimilarSchoolGroups } from '../groups/similar-school-groups';
import type { SchoolPopulation } from '../population/school-population';

/** What a method needs from a population builder. */
export interface PopulationRequirements {
  /** Feature codes (see `CENSUS_FEATURES`), in the column order the method expects. */
  readonly features: readonly string[];
  /** Whether each school needs its government office region. */
  readonly regions: boolean;
  /** `drop`: schools with a missing feature are left out; `keep`: the method deals with NaN. */
  readonly missing: 'drop' | 'keep';
}

/** Parameters a caller may give; each method says which it accepts and rejects the rest. */
export interface GroupingOptions {
  /** Group size: how many other schools each school is grouped with. */
  readonly k?: number;
  /** Features to use (context-knn), as codes of the population's columns. */
  readonly features?: readonly string[];
  /** Weight per feature code (context-knn); features not named weigh 1. */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * A way of finding each school's most similar schools. Methods are immutable and versioned: a
 * change to what a method computes is a new version (`context-knn-v2`), never an edit of v1,
 * so stored results stay reproducible.
 */
export interface ComparisonMethod {
  readonly name: string;
  readonly version: number;
  /** `${name}-v${version}` */
  readonly id: string;
  readonly title: string;
  readonly defaultK: number;
  /** Largest k the method can give, if it has a limit of its own. */
  readonly maxK?: number;
  requirements(options?: GroupingOptions): PopulationRequirements;
  findGroups(population: SchoolPopulation, options?: GroupingOptions): SimilarSchoolGroups;
}

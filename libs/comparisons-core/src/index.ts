export { ComparisonInputError } from './lib/methods/comparison-input-error';
export type {
  ComparisonMethod,
  GroupingOptions,
  PopulationRequirements,
} from './lib/methods/comparison-method';
export { ComparisonMethodRegistry } from './lib/methods/comparison-method-registry';
export { defaultComparisonMethods } from './lib/methods/default-comparison-methods';
export { checkGroupSize } from './lib/methods/group-size';

export {
  SimilarSchoolGroups,
  type ExcludedFromGroups,
  type GroupRow,
  type SimilarSchool,
} from './lib/groups/similar-school-groups';

export {
  CONTEXT_KNN_DEFAULT_FEATURES,
  contextKnnV1,
  standardise,
  type StandardisedFeatures,
} from './lib/context-knn/context-knn';
export {
  FBIT_BASE_SET_SIZE,
  FBIT_FINAL_SET_SIZE,
  FBIT_PUPIL_FEATURES,
  FBIT_PUPIL_WEIGHTS,
  fbitPupilV1,
  fillWithMedians,
  type FilledFeatures,
} from './lib/fbit-pupil/fbit-pupil';
export { KdTree } from './lib/nearest/kd-tree';
export { orderByDistanceThenIndex, TIE_TOLERANCE } from './lib/nearest/tie-order';

export {
  featureColumn,
  schoolPopulation,
  type SchoolPopulation,
  type SchoolRowInput,
} from './lib/population/school-population';
export {
  censusColumns,
  censusSchoolRows,
  censusSchoolTypes,
  parseCensusCsv,
  readCensusFile,
  type CensusTable,
} from './lib/population/census-table';
export { parseCensusNumber } from './lib/population/census-value';
export {
  CENSUS_FEATURES,
  censusFeature,
  type CensusCellReader,
  type CensusFeature,
} from './lib/population/census-features';
export {
  censusPopulation,
  type CensusPopulation,
  type CensusPopulationOptions,
  type ExcludedSchool,
} from './lib/population/census-population';
export { groupsFromCensus, type CensusGroups } from './lib/population/census-groups';

export {
  SUPPRESSION_CODES,
  isSuppressionCode,
  usableValues,
  usableNumber,
  type ObservedValue,
  type SuppressionCode,
  type SuppressionCounts,
  type UsableValues,
} from './lib/statistics/observed-value';
export { accurateMean, accurateSum } from './lib/statistics/summation';
export {
  median,
  percentileRank,
  quantile,
  quantileOfSorted,
  quartiles,
  type Quartiles,
} from './lib/statistics/quantiles';
export {
  competitionRanks,
  rankAmong,
  type DirectedPolarity,
  type Polarity,
  type RankOf,
} from './lib/statistics/ranking';
export {
  leastSquaresSlope,
  periodYear,
  trend,
  type PeriodValue,
  type Trend,
} from './lib/statistics/trend';
export {
  contextualExpectation,
  fitLeastSquares,
  type ContextualExpectation,
  type LinearModel,
} from './lib/statistics/least-squares';
export {
  expectationFor,
  fitContextualModel,
  type ContextualModel,
} from './lib/statistics/contextual-model';
export {
  disadvantagedGap,
  type DisadvantageBreakdown,
  type DisadvantagedGap,
} from './lib/statistics/disadvantaged-gap';
export {
  earlyWarning,
  type EarlyWarning,
  type EarlyWarningRule,
  type PeriodStanding,
} from './lib/statistics/early-warning';
export {
  DEFAULT_MIN_GROUP_N,
  benchmarkAgainstGroup,
  isInsufficientGroup,
  type BenchmarkOptions,
  type SchoolBenchmark,
} from './lib/statistics/school-benchmark';
export {
  CONFIDENCE_LIMITS,
  PROGRESS_BANDS,
  SMALL_COHORT_BELOW,
  isSmallCohort,
  progressBand,
  significanceAgainst,
  wellThresholds,
  type ProgressBand,
  type Significance,
  type WellThresholds,
} from './lib/statistics/progress-band';
export { groupEstimates, type GroupEstimates } from './lib/statistics/estimates';
export {
  breakdownGap,
  type BreakdownGap,
  type BreakdownGapPeriod,
  type BreakdownStanding,
} from './lib/statistics/breakdown-gap';

export { ComparisonsModule } from './lib/comparisons.module';
export { ComparisonJobsModule } from './lib/comparison-jobs.module';
export {
  ComparisonRunner,
  ComparisonRunProcessor,
  type ComparisonOutcome,
  type ComparisonPhase,
} from './lib/jobs/run-comparison.job';
export {
  ComparisonRecomputation,
  ComparisonUpkeep,
  RECOMPUTE_JOB,
} from './lib/jobs/comparison-upkeep';
export {
  COMPARISON_JOB,
  COMPARISON_JOB_OPTIONS,
  ComparisonRunsService,
  type RunStaleness,
} from './lib/comparison-runs.service';
export { ComparisonResultsService } from './lib/comparison-results.service';
export { ComparisonRunUpdates } from './lib/comparison-run-updates';
export {
  benchmarkedSchools,
  computeBenchmarks,
  computeGroups,
  groupRows,
  type BenchmarkRow,
  type ComparisonGroups,
  type GroupMemberRow,
  type PopulationSchool,
} from './lib/comparison-computation';
export {
  DEFAULT_METHOD,
  candidateFeatures,
  contextMeasures,
  normaliseRequest,
  outcomePeriods,
  resultKey,
  type ComparisonParameters,
  type ComparisonRequest,
  type DatasetVersion,
  type PopulationScope,
} from './lib/comparison-request';
export { contextFeature, contextFeatures, type ContextFeature } from './lib/context-features';
export { ObservationTable } from './lib/observation-table';
export { readObservationFiles, type FileObservations } from './lib/observation-files';
export { ComparisonRunModel, ComparisonRunStatus } from './lib/models/comparison-run.model';
export {
  BenchmarkModel,
  EarlyWarningModel,
  SimilarSchoolModel,
} from './lib/models/comparison-results.model';

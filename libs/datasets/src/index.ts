export { sha256Of, type DatasetSource } from './lib/dataset-source';
export {
  DatasetImports,
  type DatasetImportOutcome,
  type DatasetImportRequest,
  type DatasetStatus,
  type StoredImportAttempt,
  type StoredImportPhase,
  type StoredReport,
  type DatasetValidation,
} from './lib/dataset-imports.service';
export { datasetSeries } from './lib/dataset-series';
export { DatasetImportJobsModule } from './lib/dataset-import-jobs.module';
export {
  DATASET_IMPORT_JOB,
  DATASET_IMPORT_JOB_OPTIONS,
  DatasetUploads,
  type DatasetUpload,
} from './lib/dataset-uploads.service';
export { DatasetImportProcessor } from './lib/jobs/import-dataset.job';
export { DatasetImportUpkeep } from './lib/jobs/dataset-import-upkeep';
export { DatasetsModule } from './lib/datasets.module';
export { DatasetsService } from './lib/datasets.service';
export { DatasetModel, ObservationModel } from './lib/models/dataset.model';
export { MappingProfilesService } from './lib/mapping-profiles.service';

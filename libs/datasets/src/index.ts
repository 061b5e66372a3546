export { sha256Of, type DatasetSource } from './lib/dataset-source';
export {
  DatasetImports,
  type DatasetImportOutcome,
  type DatasetImportRequest,
  type StoredReport,
} from './lib/dataset-imports.service';
export { DatasetsModule } from './lib/datasets.module';
export { DatasetsService } from './lib/datasets.service';
export { DatasetModel, ObservationModel } from './lib/models/dataset.model';

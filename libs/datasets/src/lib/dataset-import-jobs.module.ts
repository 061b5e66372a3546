import { Module } from '@nestjs/common';

import { DatasetImports } from './dataset-imports.service';
import { DatasetImportUpkeep } from './jobs/dataset-import-upkeep';
import { DatasetImportProcessor } from './jobs/import-dataset.job';

/** The dataset import jobs a worker runs (the `dataset-imports` queue). */
@Module({
  providers: [DatasetImports, DatasetImportProcessor, DatasetImportUpkeep],
  exports: [DatasetImports, DatasetImportUpkeep],
})
export class DatasetImportJobsModule {}

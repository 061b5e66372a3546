import { Module } from '@nestjs/common';

import { DatasetImports } from './dataset-imports.service';

@Module({
  providers: [DatasetImports],
  exports: [DatasetImports],
})
export class DatasetsModule {}

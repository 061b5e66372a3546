import { tmpdir } from 'node:os';
import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { AccessLogModule } from '@schoolbench/sharing';

import { DatasetImports } from './dataset-imports.service';
import { DatasetUploads } from './dataset-uploads.service';
import { DatasetsController } from './datasets.controller';
import { DatasetsResolver, SchoolObservationsResolver } from './datasets.resolver';
import { DatasetsService } from './datasets.service';
import { MappingProfilesService } from './mapping-profiles.service';

/** The common data format in the database: imports, datasets, observations, mapping profiles. */
@Module({
  imports: [
    AccessLogModule,
    // Uploads stream to a temporary file (memory stays flat), bounded by the configured limit.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: diskStorage({ destination: tmpdir() }),
        limits: { fileSize: config.UPLOAD_MAX_BYTES, files: 2 },
      }),
    }),
  ],
  controllers: [DatasetsController],
  providers: [
    DatasetImports,
    DatasetUploads,
    DatasetsService,
    MappingProfilesService,
    DatasetsResolver,
    SchoolObservationsResolver,
  ],
  exports: [DatasetImports, DatasetsService, DatasetUploads, MappingProfilesService],
})
export class DatasetsModule {}

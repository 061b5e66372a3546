import { Module } from '@nestjs/common';

import { TenantExportBuilder } from './tenant-export-builder';
import { TenantExportProcessor } from './tenant-export.jobs';
import { TenantExportsController } from './tenant-exports.controller';
import { TenantExportsResolver } from './tenant-exports.resolver';
import { TenantExports } from './tenant-exports.service';

/** The API side of tenant exports: request, status, download (ADR 0081). */
@Module({
  controllers: [TenantExportsController],
  providers: [TenantExports, TenantExportsResolver],
  exports: [TenantExports],
})
export class TenantExportsModule {}

/** The worker side: the `tenant-exports` queue's processor. */
@Module({
  providers: [TenantExportBuilder, TenantExportProcessor],
  exports: [TenantExportBuilder],
})
export class TenantExportJobsModule {}

/** The CLI side: builds an archive in the process, no queue. */
@Module({
  providers: [TenantExportBuilder],
  exports: [TenantExportBuilder],
})
export class TenantExportBuilderModule {}

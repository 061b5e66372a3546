import { Module } from '@nestjs/common';

import { TenantExportBuilder } from './tenant-export-builder';
import { TenantExportProcessor } from './tenant-export.jobs';
import { TenantExportsController } from './tenant-exports.controller';
import { TenantExportsResolver } from './tenant-exports.resolver';
import { TenantExports } from './tenant-exports.service';

/** Requesting, reading and downloading exports, for the API's and the web's own routes. */
@Module({ providers: [TenantExports], exports: [TenantExports] })
export class TenantExportRequestsModule {}

/** The API side of tenant exports: GraphQL and the REST download (ADR 0081). */
@Module({
  imports: [TenantExportRequestsModule],
  controllers: [TenantExportsController],
  providers: [TenantExportsResolver],
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

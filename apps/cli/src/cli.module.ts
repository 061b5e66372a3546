import { Module } from '@nestjs/common';

import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { DatasetImports, DatasetsService } from '@schoolbench/datasets';
import { IdentityModule } from '@schoolbench/identity';
import { SchoolsModule } from '@schoolbench/schools';
import { AccessLogModule, ProtocolsService } from '@schoolbench/sharing';
import { TenancyModule } from '@schoolbench/tenancy';
import { TenantExitModule, TenantExportBuilderModule, TenantsModule } from '@schoolbench/tenants';

/** What operator commands need: the database as the app role and the domain services. */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    DatabaseModule,
    IdentityModule,
    TenantsModule,
    TenantExitModule,
    TenantExportBuilderModule,
    SchoolsModule,
    AccessLogModule,
  ],
  // The import and protocol services without their HTTP controllers and resolvers.
  providers: [DatasetImports, DatasetsService, ProtocolsService],
})
export class CliModule {}

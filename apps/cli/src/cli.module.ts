import { Module } from '@nestjs/common';

import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { DatasetImports, DatasetsService } from '@schoolbench/datasets';
import { IdentityModule } from '@schoolbench/identity';
import { SchoolsModule } from '@schoolbench/schools';
import { AccessLogModule } from '@schoolbench/sharing';
import { TenancyModule } from '@schoolbench/tenancy';
import { TenantsModule } from '@schoolbench/tenants';

/** What operator commands need: the database as the app role and the domain services. */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    DatabaseModule,
    IdentityModule,
    TenantsModule,
    SchoolsModule,
    AccessLogModule,
  ],
  // The import service without its HTTP controller and resolvers.
  providers: [DatasetImports, DatasetsService],
})
export class CliModule {}

import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { ClubsModule } from '@schoolbench/clubs';
import { ComparisonsModule } from '@schoolbench/comparisons';
import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { DatasetsModule } from '@schoolbench/datasets';
import { DomainErrorFilter, GraphqlApiModule } from '@schoolbench/graphql';
import { IdentityModule } from '@schoolbench/identity';
import { LoggingModule, ObservabilityModule } from '@schoolbench/observability';
import { QueueModule } from '@schoolbench/queue';
import { SchoolsModule } from '@schoolbench/schools';
import { SharingModule } from '@schoolbench/sharing';
import { TargetsModule } from '@schoolbench/targets';
import { TenancyModule } from '@schoolbench/tenancy';
import { TenantExportsModule, TenantsModule } from '@schoolbench/tenants';

/** The API: wiring only. */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    LoggingModule,
    DatabaseModule.servingRequests(),
    QueueModule,
    ObservabilityModule,
    GraphqlApiModule,
    IdentityModule,
    TenantsModule,
    SchoolsModule,
    DatasetsModule,
    ComparisonsModule,
    SharingModule,
    ClubsModule,
    TargetsModule,
    TenantExportsModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
})
export class ApiModule {}

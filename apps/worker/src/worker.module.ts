import { Module } from '@nestjs/common';

import { ComparisonJobsModule } from '@schoolbench/comparisons';
import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { DatasetImportJobsModule } from '@schoolbench/datasets';
import { IdentityJobsModule } from '@schoolbench/identity';
import { LoggingModule } from '@schoolbench/observability';
import { QueueModule } from '@schoolbench/queue';
import { SharingJobsModule } from '@schoolbench/sharing';
import { TenancyModule } from '@schoolbench/tenancy';
import { RetentionJobsModule, TenantExportJobsModule } from '@schoolbench/tenants';

import { HousekeepingSchedule } from './housekeeping-schedule';

/** The worker: BullMQ processors and their schedules. Wiring only. */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    LoggingModule,
    DatabaseModule,
    QueueModule,
    IdentityJobsModule,
    ComparisonJobsModule,
    DatasetImportJobsModule,
    SharingJobsModule,
    RetentionJobsModule,
    TenantExportJobsModule,
  ],
  providers: [HousekeepingSchedule],
})
export class WorkerModule {}

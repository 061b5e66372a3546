import { Module } from '@nestjs/common';

import { TenantExitModule } from '../exit/tenant-exit.module';
import { RetentionProcessor, RetentionSchedule } from './retention.jobs';
import { RetentionService } from './retention.service';

/** The worker side of data lifecycle: retention, and deleting the rows of authorities that left. */
@Module({
  imports: [TenantExitModule],
  providers: [RetentionService, RetentionProcessor, RetentionSchedule],
  exports: [RetentionService],
})
export class RetentionJobsModule {}

import { Module } from '@nestjs/common';

import { AccessLogModule } from '@schoolbench/sharing';

import { ComparisonRunner, ComparisonRunProcessor } from './jobs/run-comparison.job';

/** The comparison jobs a worker runs (the `comparisons` queue). */
@Module({
  imports: [AccessLogModule],
  providers: [ComparisonRunner, ComparisonRunProcessor],
  exports: [ComparisonRunner],
})
export class ComparisonJobsModule {}

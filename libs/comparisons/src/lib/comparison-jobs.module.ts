import { Module } from '@nestjs/common';

import { ComparisonRunner, ComparisonRunProcessor } from './jobs/run-comparison.job';

/** The comparison jobs a worker runs (the `comparisons` queue). */
@Module({
  providers: [ComparisonRunner, ComparisonRunProcessor],
  exports: [ComparisonRunner],
})
export class ComparisonJobsModule {}

import { Module } from '@nestjs/common';

import { AccessLogModule } from '@schoolbench/sharing';

import { ComparisonRecomputation, ComparisonUpkeep } from './jobs/comparison-upkeep';
import { ComparisonRunner, ComparisonRunProcessor } from './jobs/run-comparison.job';

/**
 * The comparison jobs a worker runs (the `comparisons` queue), and the upkeep that re-queues runs
 * Redis lost and asks for recomputation when dataset versions are superseded.
 */
@Module({
  imports: [AccessLogModule],
  providers: [ComparisonRunner, ComparisonRunProcessor, ComparisonRecomputation, ComparisonUpkeep],
  exports: [ComparisonRunner, ComparisonUpkeep, ComparisonRecomputation],
})
export class ComparisonJobsModule {}

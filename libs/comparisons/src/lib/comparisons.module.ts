import { Module } from '@nestjs/common';

import { AccessLogModule } from '@schoolbench/sharing';

import { ComparisonResultsService } from './comparison-results.service';
import { ComparisonRunEvents } from './comparison-run-events';
import { ComparisonRunUpdates } from './comparison-run-updates';
import { ComparisonRunsResolver } from './comparison-runs.resolver';
import { ComparisonRunsService } from './comparison-runs.service';
import { SchoolComparisonsResolver } from './school-comparisons.resolver';

/**
 * The API side of comparisons: requesting runs, following them (subscription), reading groups,
 * benchmarks and early warnings.
 */
@Module({
  imports: [AccessLogModule],
  providers: [
    ComparisonRunsService,
    ComparisonResultsService,
    ComparisonRunEvents,
    ComparisonRunUpdates,
    ComparisonRunsResolver,
    SchoolComparisonsResolver,
  ],
  exports: [ComparisonRunsService, ComparisonResultsService],
})
export class ComparisonsModule {}

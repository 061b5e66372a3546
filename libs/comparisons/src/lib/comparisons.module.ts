import { Module } from '@nestjs/common';

import { ComparisonResultsService } from './comparison-results.service';
import { ComparisonRunsResolver } from './comparison-runs.resolver';
import { ComparisonRunsService } from './comparison-runs.service';
import { SchoolComparisonsResolver } from './school-comparisons.resolver';

/** The API side of comparisons: requesting runs, reading groups, benchmarks and early warnings. */
@Module({
  providers: [
    ComparisonRunsService,
    ComparisonResultsService,
    ComparisonRunsResolver,
    SchoolComparisonsResolver,
  ],
  exports: [ComparisonRunsService, ComparisonResultsService],
})
export class ComparisonsModule {}

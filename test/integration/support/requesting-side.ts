import { Module } from '@nestjs/common';

import { ComparisonRunsService } from '@schoolbench/comparisons';
import { AppConfigModule } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { LoggingModule } from '@schoolbench/observability';
import { QueueModule } from '@schoolbench/queue';
import { TenancyModule } from '@schoolbench/tenancy';

/** What the API process holds for comparison tests: the service that records runs and queues their jobs. */
@Module({
  imports: [AppConfigModule, TenancyModule, LoggingModule, DatabaseModule, QueueModule],
  providers: [ComparisonRunsService],
})
export class RequestingSide {}

/** The schools of the comparison job tests: one authority's eight, and 24 of the reference data. */
export const OWN = Array.from({ length: 8 }, (_, i) => 116001 + i);
export const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);
export const MEASURES = ['ks2_rwm_expected_pct', 'ks2_reading_progress'];

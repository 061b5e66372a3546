import { Module } from '@nestjs/common';

import { ComparisonsModule } from '@schoolbench/comparisons';

import { TargetsResolver } from './targets.resolver';
import { TargetsService } from './targets.service';

/** Baselines, targets, RAG and the authority roll-up (docs/targets.md). */
@Module({
  imports: [ComparisonsModule],
  providers: [TargetsService, TargetsResolver],
  exports: [TargetsService],
})
export class TargetsModule {}

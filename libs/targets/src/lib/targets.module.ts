import { Module } from '@nestjs/common';

import { ComparisonsModule } from '@schoolbench/comparisons';
import { AccessLogModule } from '@schoolbench/sharing';

import { JudgementsResolver } from './judgements.resolver';
import { JudgementsService } from './judgements.service';
import { PupilGroupsResolver } from './pupil-groups.resolver';
import { SchoolTargetsResolver } from './school-targets.resolver';
import { TargetsResolver } from './targets.resolver';
import { TargetsService } from './targets.service';

/** Baselines, targets, RAG, the authority roll-up and judgements (docs/targets.md). */
@Module({
  imports: [ComparisonsModule, AccessLogModule],
  providers: [
    TargetsService,
    TargetsResolver,
    JudgementsService,
    JudgementsResolver,
    PupilGroupsResolver,
    SchoolTargetsResolver,
  ],
  exports: [TargetsService, JudgementsService],
})
export class TargetsModule {}

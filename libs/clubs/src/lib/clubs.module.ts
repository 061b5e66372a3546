import { Module } from '@nestjs/common';

import { AccessLogModule } from '@schoolbench/sharing';

import { ClubDashboardService } from './club-dashboard.service';
import { ClubsResolver } from './clubs.resolver';
import { ClubsService } from './clubs.service';

/** Clubs (SPEC §7): membership across authorities and the dashboard their headteachers share. */
@Module({
  imports: [AccessLogModule],
  providers: [ClubsService, ClubDashboardService, ClubsResolver],
  exports: [ClubsService, ClubDashboardService],
})
export class ClubsModule {}

import { Module } from '@nestjs/common';

import { ClubsService } from '@schoolbench/clubs';
import { AccessLogModule, ProtocolsService } from '@schoolbench/sharing';

import { TenantExitService } from './tenant-exit.service';

/**
 * An authority leaving (operator CLI and the worker's scheduled deletion). Uses the protocol and
 * club services without their resolvers.
 */
@Module({
  imports: [AccessLogModule],
  providers: [TenantExitService, ProtocolsService, ClubsService],
  exports: [TenantExitService],
})
export class TenantExitModule {}

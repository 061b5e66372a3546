import { Module } from '@nestjs/common';

import { AccessLog } from './access-log.service';
import { ProtocolExpiryProcessor, ProtocolExpirySchedule } from './jobs/protocol-expiry.job';
import { ProtocolsService } from './protocols.service';

/** The worker side of data sharing: expiry on time, and the access log for jobs that read partners. */
@Module({
  providers: [ProtocolsService, AccessLog, ProtocolExpiryProcessor, ProtocolExpirySchedule],
  exports: [AccessLog],
})
export class SharingJobsModule {}

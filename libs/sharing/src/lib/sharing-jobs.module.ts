import { Module } from '@nestjs/common';

import { AccessLogModule } from './access-log.module';
import { ProtocolExpiryProcessor, ProtocolExpirySchedule } from './jobs/protocol-expiry.job';
import { ProtocolsService } from './protocols.service';

/** The worker side of data sharing: expiry on time, and the access log for jobs that read partners. */
@Module({
  imports: [AccessLogModule],
  providers: [ProtocolsService, ProtocolExpiryProcessor, ProtocolExpirySchedule],
  exports: [AccessLogModule],
})
export class SharingJobsModule {}

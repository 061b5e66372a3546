import { Module } from '@nestjs/common';

import { AccessLogController } from './access-log.controller';
import { AccessLogModule } from './access-log.module';
import { ProtocolsResolver } from './protocols.resolver';
import { ProtocolsService } from './protocols.service';

/** The API side of data sharing: protocols, their lifecycle, and the access log. */
@Module({
  imports: [AccessLogModule],
  controllers: [AccessLogController],
  providers: [ProtocolsService, ProtocolsResolver],
  exports: [ProtocolsService, AccessLogModule],
})
export class SharingModule {}

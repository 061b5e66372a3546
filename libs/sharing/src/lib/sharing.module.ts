import { Module } from '@nestjs/common';

import { AccessLogController } from './access-log.controller';
import { AccessLog } from './access-log.service';
import { ProtocolsResolver } from './protocols.resolver';
import { ProtocolsService } from './protocols.service';

/** The API side of data sharing: protocols, their lifecycle, and the access log. */
@Module({
  controllers: [AccessLogController],
  providers: [ProtocolsService, ProtocolsResolver, AccessLog],
  exports: [ProtocolsService, AccessLog],
})
export class SharingModule {}

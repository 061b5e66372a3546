import { Module } from '@nestjs/common';

import { AccessLog } from './access-log.service';

/** Just the access log, for every feature that reads partners' rows. */
@Module({ providers: [AccessLog], exports: [AccessLog] })
export class AccessLogModule {}

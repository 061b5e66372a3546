import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import {
  HousekeepingProcessor,
  RefreshTokenPurge,
} from './credentials/jobs/purge-refresh-tokens.job';
import { RefreshTokenEntity } from './credentials/refresh-token.entity';

/** The identity jobs a worker runs. */
@Module({
  imports: [TypeOrmModule.forFeature([RefreshTokenEntity])],
  providers: [RefreshTokenPurge, HousekeepingProcessor],
  exports: [RefreshTokenPurge],
})
export class IdentityJobsModule {}

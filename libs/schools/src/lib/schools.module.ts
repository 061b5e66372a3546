import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AccessLogModule } from '@schoolbench/sharing';

import { SchoolEntity } from './school.entity';
import { SchoolsResolver } from './schools.resolver';
import { SchoolsService } from './schools.service';

@Module({
  imports: [TypeOrmModule.forFeature([SchoolEntity]), AccessLogModule],
  providers: [SchoolsService, SchoolsResolver],
  exports: [SchoolsService],
})
export class SchoolsModule {}

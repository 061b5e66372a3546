export { TargetsModule } from './lib/targets.module';
export { TargetsService } from './lib/targets.service';
export { JudgementsService } from './lib/judgements.service';

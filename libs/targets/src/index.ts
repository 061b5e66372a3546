export { TargetsModule } from './lib/targets.module';
export { TargetsService } from './lib/targets.service';
export { JudgementsService } from './lib/judgements.service';
export {
  RagStatusValue,
  SchoolTargetModel,
  SchoolTargetStatusModel,
  TargetEventModel,
  TargetImportReportModel,
  TargetKind,
} from './lib/models/target.model';

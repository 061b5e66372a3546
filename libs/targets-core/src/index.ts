export {
  DEFAULT_AMBER_MARGINS,
  amberMargin,
  cohortWeighted,
  groupPosition,
  ragStatus,
  targetValueProblem,
  type AmberMargins,
  type AuthorityFigure,
  type CohortValue,
  type GroupPosition,
  type RagStatus,
} from './lib/target-rules';
export { parseTargetCsv, type TargetCsv, type TargetCsvRow } from './lib/target-csv';
export {
  CAUSING_CONCERN,
  INSPECTION_JUDGEMENTS,
  categoryCode,
  inspectionJudgement,
  isConcerningJudgement,
  judgementDate,
  parseJudgementCsv,
  type InspectionJudgement,
  type JudgementCsvRow,
} from './lib/judgements';

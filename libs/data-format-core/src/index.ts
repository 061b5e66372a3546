// Canonical model
export {
  BREAKDOWNS,
  SUPPRESSION_CODES,
  TIME_IDENTIFIERS,
  isBreakdownCode,
  observationKey,
} from './lib/model/observation';
export type {
  Area,
  AreaLevel,
  Breakdown,
  ColumnDefinition,
  KnownBreakdown,
  LocalAuthorityRecord,
  MethodologyNote,
  Observation,
  ObservationValue,
  Period,
  SchoolRecord,
  SummaryObservation,
  SuppressionCode,
  TimeIdentifier,
} from './lib/model/observation';
export {
  academicYearEndingIn,
  describePeriod,
  endYearFromFileName,
  isSixDigitPeriod,
  periodEndingIn,
} from './lib/model/period';

// Measure catalogue
export {
  MEASURE_CATALOGUE,
  MEASURE_CATEGORIES,
  MEASURE_UNITS,
  MeasureCatalogue,
  POLARITIES,
  NOT_STORED_REASONS,
  SOURCE_FORMATS,
} from './lib/catalogue/measure-catalogue';
export type {
  ColumnMapping,
  Measure,
  MeasureCategory,
  MeasureSource,
  MeasureUnit,
  NotStoredColumn,
  NotStoredReason,
  Polarity,
  SourceFormat,
} from './lib/catalogue/measure-catalogue';

// Values
export { readCell } from './lib/values/cell-value';
export type { CellValue } from './lib/values/cell-value';
export {
  DFE_SPECIAL_VALUES,
  EES_SYMBOLS,
  classifyDefinition,
  resolveSpecialValue,
} from './lib/values/special-values';
export type { DfeRecordType } from './lib/values/special-values';

// Problems and the validation report
export { ProblemLog, countProblemsByRule } from './lib/problems/problem';
export type {
  Problem,
  ProblemInput,
  ProblemSink,
  RuleCount,
  Severity,
} from './lib/problems/problem';
export { isEesScreenerRule, knownRules, ruleGuidance } from './lib/problems/rule-book';

// Streaming bytes
export type { ByteSource } from './lib/bytes/byte-source';
export { decodeText, decodeWindows1252 } from './lib/bytes/text-decoding';
export type { DecodedText, DecodedTextState, TextEncodingName } from './lib/bytes/text-decoding';

// Import
export {
  collectImport,
  importFile,
  importFileBatches,
  readColumnDefinitions,
} from './lib/import/import-file';
export type { CollectedImport } from './lib/import/import-file';
export type { ImportOptions, NamedFile } from './lib/import/import-options';
export type { ImportRecord, ImportRecordKind, ImportReport } from './lib/import/import-record';
export { storedShare } from './lib/import/column-coverage';
export type { CellCounts } from './lib/import/column-coverage';
export { BUILT_IN_ADAPTERS, detectAdapter, looksLikeEesData } from './lib/import/adapter-registry';
export type { AdapterContext, FileAdapter, RowReader } from './lib/import/file-adapter';
export { DFE_FILE_KINDS } from './lib/dfe/dfe-file-kinds';
export type { DfeFileKind } from './lib/dfe/dfe-file-kinds';

// EES open data
export { EES_RULE_STAGES, eesRuleStage, screenFileNames } from './lib/ees/ees-screener';
export type { EesStage } from './lib/ees/ees-screener';
export { breakdownForFilterItem } from './lib/ees/ees-import';
export { pairEesFiles, screenUnpairedMeta } from './lib/ees/ees-file-pairs';
export {
  GEOGRAPHY_COMBINATION_CHECKS,
  loadEesReferenceLists,
  parseEesReferenceLists,
  type EesReferenceLists,
} from './lib/ees/ees-reference-lists';
export type { EesFilePair } from './lib/ees/ees-file-pairs';

// Mapping profiles
export {
  PERIOD_TRANSFORMS,
  mappingProfileSchema,
  parseMappingProfile,
} from './lib/mapping-profiles/mapping-profile';
export type {
  MappingProfile,
  MappingProfileInput,
  ParsedMappingProfile,
} from './lib/mapping-profiles/mapping-profile';
export { nationalExtractProfiles } from './lib/mapping-profiles/national-extract-profiles';
export { mappingProfileAdapter } from './lib/mapping-profiles/mapping-profile-adapter';

// Export
export { csvCell, formatNumber, neutraliseCell, toEesCsv } from './lib/export/ees-export';
export type { EesExport, EesExportOptions } from './lib/export/ees-export';

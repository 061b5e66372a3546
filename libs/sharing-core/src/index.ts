export { ProtocolRuleError, checkProtocolAction } from './lib/protocol-lifecycle';
export type {
  ProtocolAction,
  ProtocolActor,
  ProtocolState,
  ProtocolStatus,
} from './lib/protocol-lifecycle';
export {
  MIN_GROUP_SIZE_FLOOR,
  ProtocolTermsError,
  RECORD_CATEGORIES,
  formatAcademicPeriod,
  normaliseProtocolTerms,
  parseAcademicPeriod,
} from './lib/protocol-terms';
export type {
  DisclosureLevel,
  ProtocolTerms,
  ProtocolTermsInput,
  RecordCategory,
  ScopeCatalogue,
} from './lib/protocol-terms';
export { mayReadNamedCell, mayReadRecord } from './lib/sharing-reference';
export type {
  ReferenceCell,
  ReferenceProtocol,
  ReferenceRecord,
  ReferenceSchool,
} from './lib/sharing-reference';

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
  formatAcademicPeriod,
  normaliseProtocolTerms,
  parseAcademicPeriod,
} from './lib/protocol-terms';
export type {
  DisclosureLevel,
  ProtocolTerms,
  ProtocolTermsInput,
  ScopeCatalogue,
} from './lib/protocol-terms';
export { mayReadNamedCell } from './lib/sharing-reference';
export type { ReferenceCell, ReferenceProtocol, ReferenceSchool } from './lib/sharing-reference';

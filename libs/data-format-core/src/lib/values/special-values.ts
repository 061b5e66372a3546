import type { ColumnDefinition, SuppressionCode } from '../model/observation';

/** Record types DfE's meta files describe separately. */
export type DfeRecordType = 'school' | 'special' | 'local_authority' | 'national';

/**
 * DfE performance-table codes and their EES symbols, as DfE's "key to symbols" defines them.
 * `NA`, `NE` and `NP` are refined per column by the file's own meta definitions
 * (`resolveSpecialValue`).
 */
export const DFE_SPECIAL_VALUES: Readonly<Record<string, SuppressionCode>> = {
  SUPP: 'c', // suppressed: small cohort
  'SUPP!': 'c', // CFR: suppressed to protect a neighbouring figure
  LOWCOV: 'u', // low coverage: low reliability
  NE: 'z', // no entries: no pupils, so the measure does not apply
  NA: 'z', // not applicable
  NP: 'x', // not published
  NEW: 'z', // new school with no eligible pupils
  '-': 'x', // CFR tables: no figure given
};

/** EES symbols as they appear in EES open-data files (plus the legacy `:` and `~`). */
export const EES_SYMBOLS: Readonly<Record<string, SuppressionCode>> = {
  c: 'c',
  x: 'x',
  z: 'z',
  low: 'low',
  u: 'u',
  ':': 'x',
  '~': 'low',
};

/** What a free-text definition says a code means. */
export function classifyDefinition(text: string): SuppressionCode | null {
  const t = text.toLowerCase();
  if (/suppress|confidential|small (number|cohort)/.test(t)) return 'c';
  if (/low coverage|reliab/.test(t)) return 'u';
  if (
    /not applicable|no (eligible )?pupils|no entries|not entered|new school|does not apply/.test(t)
  ) {
    return 'z';
  }
  if (/not available|not published|not collected|missing|unknown/.test(t)) return 'x';
  if (/rounds? to (zero|0)|less than 0\.5/.test(t)) return 'low';
  return null;
}

/**
 * The EES symbol for a DfE code in one column. The file's meta definitions win: a code the meta
 * defines in words is classified from those words; `NA` in a field the meta says is empty by
 * design for this record type (e.g. KS2 APS on LA rows) is `z`, otherwise `NA` keeps DfE's key.
 */
export function resolveSpecialValue(
  token: string,
  definition: ColumnDefinition | undefined,
  recordType: DfeRecordType,
  fileDefinitions?: Readonly<Record<string, string>>,
): SuppressionCode | null {
  const code = token.trim().toUpperCase();
  const fallback = DFE_SPECIAL_VALUES[code] ?? DFE_SPECIAL_VALUES[token.trim()];
  if (fallback === undefined) return null;
  const described = definition?.specialValues[code] ?? fileDefinitions?.[code];
  if (described) {
    const meant = classifyDefinition(described);
    if (meant) return meant;
  }
  if (
    code === 'NA' &&
    definition &&
    recordType !== 'school' &&
    definition.nullFor.includes(recordType)
  ) {
    return 'z';
  }
  return fallback;
}

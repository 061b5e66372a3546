import { DFE_FILE_KINDS } from '../dfe/dfe-file-kinds';
import { performanceTablesAdapter } from '../dfe/performance-tables-adapter';
import {
  COLUMN_DEFINITIONS_ADAPTER,
  LOCAL_AUTHORITY_LIST_ADAPTER,
  METHODOLOGY_NOTES_ADAPTER,
} from '../dfe/reference-file-adapters';
import { SCHOOL_INFORMATION_ADAPTERS } from '../dfe/school-information-adapter';
import { mappingProfileAdapter } from '../mapping-profiles/mapping-profile-adapter';
import { nationalExtractProfiles } from '../mapping-profiles/national-extract-profiles';
import { headerSet, type FileAdapter } from './file-adapter';

/** Every layout SchoolBench reads without being told, most specific first. */
export const BUILT_IN_ADAPTERS: readonly FileAdapter[] = [
  ...DFE_FILE_KINDS.map(performanceTablesAdapter),
  ...SCHOOL_INFORMATION_ADAPTERS,
  COLUMN_DEFINITIONS_ADAPTER,
  LOCAL_AUTHORITY_LIST_ADAPTER,
  METHODOLOGY_NOTES_ADAPTER,
  ...nationalExtractProfiles().map((p) => mappingProfileAdapter(p)),
];

/** EES open-data files are recognised by their mandatory columns and need their `.meta.csv`. */
export function looksLikeEesData(header: readonly string[]): boolean {
  const cols = headerSet(header);
  return (
    ['TIME_PERIOD', 'TIME_IDENTIFIER', 'GEOGRAPHIC_LEVEL'].filter((c) => cols.has(c)).length >= 2
  );
}

/** The adapter with the best score for a header, or null when none can read it. */
export function detectAdapter(
  header: readonly string[],
  fileName = '',
  adapters: readonly FileAdapter[] = BUILT_IN_ADAPTERS,
): FileAdapter | null {
  let best: FileAdapter | null = null;
  let bestScore = 0;
  for (const adapter of adapters) {
    const score = adapter.detect(header, fileName);
    if (score > bestScore) {
      best = adapter;
      bestScore = score;
    }
  }
  return best;
}

import type { DecodedTextState } from '../bytes/text-decoding';
import type { Period } from '../model/observation';
import type { ProblemLog } from '../problems/problem';
import type { CellCounts } from './column-coverage';
import type { ResolvedImportOptions } from './import-options';
import type { ImportRecord } from './import-record';

export interface AdapterContext {
  readonly fileName: string;
  /** Header cells, trimmed. */
  readonly header: readonly string[];
  readonly problems: ProblemLog;
  readonly options: ResolvedImportOptions;
  /** The data file's decoding state; final once the rows are read (encoding, hash). */
  readonly textState: DecodedTextState;
}

/** Reads the data rows of one file; adapters keep only per-file state so memory stays flat. */
export interface RowReader {
  readRow(cells: readonly string[], line: number): Iterable<ImportRecord>;
  /** Blank rows are skipped unless the layout has a use for them (EES rules, note breaks). */
  readBlankRow?(line: number): Iterable<ImportRecord>;
  finish(): Iterable<ImportRecord>;
  /** Periods the file's observations are for, once known. */
  readonly periods: readonly Period[];
  /** School-row cells by fate (stored / not a measure / unknown), for layouts with measures. */
  readonly cells?: CellCounts;
}

/**
 * One supported file layout. `detect` scores a header (0 = not this layout); the registry picks
 * the highest score, so a specific layout beats a generic one.
 */
export interface FileAdapter {
  readonly id: string;
  readonly description: string;
  detect(header: readonly string[], fileName: string): number;
  open(context: AdapterContext): RowReader;
}

export function headerSet(header: readonly string[]): Set<string> {
  return new Set(header.map((h) => h.trim().toUpperCase()));
}

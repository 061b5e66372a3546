import type { TextEncodingName } from '../bytes/text-decoding';
import type {
  ColumnDefinition,
  LocalAuthorityRecord,
  MethodologyNote,
  Observation,
  Period,
  SchoolRecord,
  SummaryObservation,
} from '../model/observation';
import type { Problem, RuleCount } from '../problems/problem';
import type { CellCounts } from './column-coverage';

/**
 * What an import streams out, in file order. School rows and LA/national summary rows are
 * different kinds so a pipeline cannot mix them by accident; problems arrive as they are found;
 * `end` is always last.
 */
export type ImportRecord =
  | { readonly kind: 'school'; readonly line: number; readonly school: SchoolRecord }
  | { readonly kind: 'observation'; readonly line: number; readonly observation: Observation }
  | {
      readonly kind: 'summary-observation';
      readonly line: number;
      readonly observation: SummaryObservation;
    }
  | {
      readonly kind: 'local-authority';
      readonly line: number;
      readonly localAuthority: LocalAuthorityRecord;
    }
  | {
      readonly kind: 'column-definition';
      readonly line: number;
      readonly definition: ColumnDefinition;
    }
  | { readonly kind: 'methodology-note'; readonly line: number; readonly note: MethodologyNote }
  /**
   * An earlier year's figure repeated in this file (`PTRWM_EXP_17`): not stored, but handed on so
   * a pipeline can compare it with the value stored from that year's own file.
   */
  | {
      readonly kind: 'earlier-year-value';
      readonly line: number;
      readonly observation: Observation;
    }
  | { readonly kind: 'problem'; readonly problem: Problem }
  | { readonly kind: 'end'; readonly report: ImportReport };

export type ImportRecordKind = ImportRecord['kind'];

export interface ImportReport {
  readonly file: string;
  readonly metaFile: string | null;
  /** Adapter that read the file, null when none could. */
  readonly adapter: string | null;
  /** sha256 of the data file's bytes; null when reading stopped early (binary, too large). */
  readonly contentHash: string | null;
  readonly metaContentHash: string | null;
  readonly byteLength: number;
  readonly encoding: TextEncodingName;
  /** Data rows read (the header and blank lines not counted). */
  readonly rows: number;
  readonly counts: Readonly<Partial<Record<ImportRecordKind, number>>>;
  readonly periods: readonly Period[];
  /** Non-empty school-row cells: stored, not a measure (by reason), unknown column. */
  readonly cells: CellCounts | null;
  readonly problemCounts: readonly RuleCount[];
  readonly errorCount: number;
  readonly warningCount: number;
  /** True when there are no errors: the dataset may be published (all or nothing). */
  readonly accepted: boolean;
}

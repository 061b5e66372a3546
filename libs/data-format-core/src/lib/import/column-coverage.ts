import type { ProblemLog } from '../problems/problem';

/** What happens to one column of a file: stored, deliberately not stored (why), or unknown. */
export type ColumnFate = 'stored' | 'unknown' | { readonly notStored: string };

/** Non-empty school-row cells of a file, by what happened to them (the import report's `cells`). */
export interface CellCounts {
  readonly stored: number;
  /** Cells of columns deliberately not stored, by reason (`school_details`, `earlier_year`, …). */
  readonly notMeasure: Readonly<Record<string, number>>;
  readonly unknown: number;
  /** Columns nothing reads, in header order. */
  readonly unknownColumns: readonly string[];
}

/**
 * Counts a file's non-empty school-row cells by column fate, so nothing is dropped silently:
 * the import report says how many cells were stored, how many were not a measure (and why),
 * and how many belonged to a column nobody knows.
 */
export class ColumnCoverage {
  private readonly fates: readonly ColumnFate[];
  private stored = 0;
  private unknown = 0;
  private readonly notMeasure: Record<string, number> = {};
  readonly unknownColumns: readonly string[];

  constructor(header: readonly string[], fateOf: (column: string, index: number) => ColumnFate) {
    this.fates = header.map((h, i) => (h.trim() === '' ? 'unknown' : fateOf(h.trim(), i)));
    this.unknownColumns = header.filter((h, i) => h.trim() !== '' && this.fates[i] === 'unknown');
  }

  countRow(cells: readonly string[]): void {
    const n = Math.min(cells.length, this.fates.length);
    for (let i = 0; i < n; i++) {
      if ((cells[i] ?? '').trim() === '') continue;
      const fate = this.fates[i];
      if (fate === 'stored') this.stored++;
      else if (fate === 'unknown') this.unknown++;
      else if (fate !== undefined)
        this.notMeasure[fate.notStored] = (this.notMeasure[fate.notStored] ?? 0) + 1;
    }
  }

  get counts(): CellCounts {
    return {
      stored: this.stored,
      notMeasure: { ...this.notMeasure },
      unknown: this.unknown,
      unknownColumns: this.unknownColumns,
    };
  }

  /** One `unknown_column_ignored` warning listing every unknown column (KS2/KS4 have 300-500). */
  reportUnknown(problems: ProblemLog): void {
    const ignored = this.unknownColumns;
    if (ignored.length === 0) return;
    const shown = ignored.slice(0, 40).join(', ');
    const more = ignored.length > 40 ? `, … (${ignored.length} in all)` : '';
    problems.add('unknown_column_ignored', {
      line: 1,
      column: ignored.length === 1 ? (ignored[0] ?? null) : null,
      value: `${shown}${more}`,
      message: `${ignored.length} column(s) are neither in the measure catalogue nor named in it as deliberately not stored, so they were not imported.`,
    });
  }
}

/**
 * Reasons that do not count against coverage: not a figure of this file's year (school
 * details, earlier-year copies, three-year averages), or the same figure in words (the
 * national extracts' band descriptions beside the stored band).
 */
const OUTSIDE_COVERAGE: ReadonlySet<string> = new Set([
  'school_details',
  'earlier_year',
  'three_year_average',
  'description',
  'ignored_by_profile',
]);

/** Share of a file's measure cells that were stored (school details and earlier-year copies left out). */
export function storedShare(cells: CellCounts): {
  readonly measureCells: number;
  readonly notStoredMeasureCells: number;
  readonly share: number | null;
} {
  let notStored = cells.unknown;
  for (const [reason, n] of Object.entries(cells.notMeasure)) {
    if (!OUTSIDE_COVERAGE.has(reason)) notStored += n;
  }
  const measureCells = cells.stored + notStored;
  return {
    measureCells,
    notStoredMeasureCells: notStored,
    share: measureCells === 0 ? null : cells.stored / measureCells,
  };
}

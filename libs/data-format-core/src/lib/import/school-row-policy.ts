import type { ProblemLog } from '../problems/problem';
import type { ResolvedImportOptions } from './import-options';

/**
 * Rules every school-level adapter applies the same way: URNs, LA codes, the tenant's LA
 * restriction, one row per school and period, and a single note for summary rows.
 */
export class SchoolRowPolicy {
  private readonly firstLineByKey = new Map<string, number>();
  private readonly reportedLaCodes = new Set<string>();
  private readonly schoolsSeen = new Set<string>();
  private skippedOtherLa = 0;
  /** School rows (not LA summary rows) kept and skipped for their LA. */
  private admittedSchoolRows = 0;
  private skippedSchoolRows = 0;
  private firstOtherLa: { code: string; line: number } | null = null;
  private summaryRows = 0;
  private firstSummaryLine: number | null = null;

  constructor(
    private readonly problems: ProblemLog,
    private readonly options: ResolvedImportOptions,
  ) {}

  /** A 6-digit URN, or null after reporting why not. */
  urn(raw: string | undefined, line: number, column: string): string | null {
    const value = (raw ?? '').trim();
    if (value === '') {
      this.problems.add('missing_urn', { line, column, message: 'This school row has no URN.' });
      return null;
    }
    if (!/^\d{5,7}$/.test(value)) {
      this.problems.add('invalid_urn', {
        line,
        column,
        value,
        message: `"${value}" is not a URN (URNs are 6-digit numbers).`,
      });
      return null;
    }
    return value;
  }

  /**
   * Whether a row for this LA belongs in the import: unknown codes are errors (once per code),
   * other LAs' rows are skipped when the upload is restricted to the tenant's own LAs.
   */
  admitLa(laCode: string | undefined, line: number, column: string, schoolRow = true): boolean {
    const code = (laCode ?? '').trim();
    if (code === '') return true;
    const { isKnownLaCode, restrictTo } = this.options;
    // EES writes x or z where an LA code does not exist; those are not codes to look up.
    const symbol = code === 'x' || code === 'z' || code === ':';
    if (isKnownLaCode && !symbol && !isKnownLaCode(code)) {
      if (!this.reportedLaCodes.has(code)) {
        this.reportedLaCodes.add(code);
        this.problems.add('unknown_la_code', {
          line,
          column,
          value: code,
          message: `LA code ${code} is not in the LA register (first seen on this line).`,
        });
      }
      return false;
    }
    if (restrictTo && !restrictTo.has(code)) {
      this.skippedOtherLa += 1;
      if (schoolRow) {
        this.skippedSchoolRows += 1;
        this.firstOtherLa ??= { code, line };
      }
      this.problems.add('other_la_row_skipped', {
        line,
        column,
        value: code,
        message: `Row for LA ${code} skipped: this upload is for LA ${[...restrictTo].join(', ')}.`,
      });
      return false;
    }
    if (schoolRow) this.admittedSchoolRows += 1;
    return true;
  }

  /** False (and a `duplicate_observation` error) when the same key was already read. */
  firstOccurrence(key: string, line: number, what: string): boolean {
    const first = this.firstLineByKey.get(key);
    if (first !== undefined) {
      this.problems.add('duplicate_observation', {
        line,
        message: `${what} already appears on line ${first}; each school may appear once per year.`,
      });
      return false;
    }
    this.firstLineByKey.set(key, line);
    return true;
  }

  /** True the first time a URN is seen: long-format files repeat a school on many rows. */
  firstSchoolRecord(urn: string): boolean {
    if (this.schoolsSeen.has(urn)) return false;
    this.schoolsSeen.add(urn);
    return true;
  }

  countSummaryRow(line: number): void {
    this.summaryRows += 1;
    this.firstSummaryLine ??= line;
  }

  /**
   * One warning for all summary rows, instead of one per row; and an error when every school
   * row belonged to another authority: an upload of someone else's file stores no school of
   * the tenant's and must not pass as a success. (A file of LA-level rows only, like many EES
   * files, has no school rows and is not refused for it.)
   */
  finish(): void {
    if (this.skippedSchoolRows > 0 && this.admittedSchoolRows === 0 && this.firstOtherLa) {
      const own = [...(this.options.restrictTo ?? [])].join(', ');
      this.problems.add('no_rows_for_authority', {
        line: this.firstOtherLa.line,
        value: this.firstOtherLa.code,
        message: `None of the ${this.skippedSchoolRows} school rows is for LA ${own}: the first is for LA ${this.firstOtherLa.code} (line ${this.firstOtherLa.line}).`,
      });
    }
    if (this.summaryRows > 0) {
      this.problems.add('summary_row_set_apart', {
        line: this.firstSummaryLine,
        message: `${this.summaryRows} LA or national summary row(s) were kept apart from school rows (first on line ${this.firstSummaryLine}).`,
      });
    }
  }

  get otherLaRowsSkipped(): number {
    return this.skippedOtherLa;
  }
}

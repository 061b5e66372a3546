import type { ColumnMapping } from '../catalogue/measure-catalogue';
import { ColumnCoverage, type CellCounts } from '../import/column-coverage';
import {
  headerSet,
  type AdapterContext,
  type FileAdapter,
  type RowReader,
} from '../import/file-adapter';
import type { ImportRecord } from '../import/import-record';
import {
  columnIndex,
  MeasureColumns,
  schoolObservation,
  summaryObservation,
} from '../import/measure-columns';
import { SchoolRowPolicy } from '../import/school-row-policy';
import type { Area, Period, SuppressionCode } from '../model/observation';
import { endYearFromFileName, periodEndingIn } from '../model/period';
import type { ProblemSink } from '../problems/problem';
import { DFE_SPECIAL_VALUES, resolveSpecialValue } from '../values/special-values';
import { withoutUndefined, type DfeFileKind } from './dfe-file-kinds';

const DFE_CODES: ReadonlySet<string> = new Set(Object.keys(DFE_SPECIAL_VALUES));
const IGNORE_PROBLEMS: ProblemSink = { add: () => undefined };

/**
 * The period of a DfE file: the caller's override, else the header (CFR names its years in its
 * columns), else the file name (`2017-2018_850_ks2final.csv`, `815_2018_census.csv`).
 */
export function dfePeriod(
  kind: DfeFileKind,
  header: readonly string[],
  fileName: string,
  override?: Period,
): Period | null {
  if (override) return override;
  const endYear = kind.endYearFromHeader?.(header) ?? endYearFromFileName(fileName);
  return endYear === null ? null : periodEndingIn(endYear, kind.timeIdentifier);
}

/** Reads any DfE performance-tables download as published, one layout per `DfeFileKind`. */
export function performanceTablesAdapter(kind: DfeFileKind): FileAdapter {
  return {
    id: kind.id,
    description: kind.description,
    detect: (header) => (kind.detect(headerSet(header)) ? 10 : 0),
    open: (context) => new PerformanceTablesReader(kind, context),
  };
}

class PerformanceTablesReader implements RowReader {
  private readonly period: Period | null;
  private readonly measures: MeasureColumns | null;
  private readonly policy: SchoolRowPolicy;
  private readonly cellIndex: (name: string) => number;
  private lastLaCode: string | null = null;
  private readonly coverage: ColumnCoverage;
  /** Earlier-year copies (`PTRWM_EXP_17`) read for comparison only, with the year each holds. */
  private readonly earlier: MeasureColumns | null = null;
  private readonly earlierPeriod = new Map<string, Period>();
  /** CFR `TyyyyCATnLA`: the LA's figure for the school's group, stored once per LA and group. */
  private readonly laFigures: MeasureColumns | null = null;
  private readonly laFiguresSeen = new Set<string>();
  readonly periods: Period[] = [];

  constructor(
    private readonly kind: DfeFileKind,
    private readonly context: AdapterContext,
  ) {
    const { header, fileName, options, problems } = context;
    this.policy = new SchoolRowPolicy(problems, options);
    this.period = dfePeriod(kind, header, fileName, options.period);
    const indexOf = columnIndex(header);
    this.cellIndex = indexOf;
    if (this.period) {
      this.periods.push(this.period);
      this.measures = new MeasureColumns(
        header,
        options.catalogue.columnsFor(kind.format, this.period.timePeriod),
        problems,
        DFE_CODES,
      );
    } else {
      this.measures = null;
      problems.add('period_unknown', {
        line: 1,
        message: `The year of ${fileName} could not be worked out from its name or columns; schools were read but no results.`,
      });
    }
    const used = this.measures?.usedIndexes ?? new Set<number>();
    const identity = new Set(kind.identityColumns.map(indexOf));
    const notStored = options.catalogue.notStoredFor(kind.format, this.period?.timePeriod ?? null);
    // Without a period no column can be stored; a column any year would use is then not "unknown".
    const known = this.period ? null : options.catalogue.knownColumns(kind.format);
    this.coverage = new ColumnCoverage(header, (column, i) => {
      if (used.has(i) || known?.has(column)) return 'stored';
      const skipped = notStored.get(column.toUpperCase());
      // An LA figure on a school row is stored on the LA (below).
      if (skipped?.reason === 'la_comparator' && skipped.copyOf) return 'stored';
      if (skipped) return { notStored: skipped.reason };
      if (identity.has(i)) return { notStored: 'school_details' };
      return 'unknown';
    });
    this.coverage.reportUnknown(problems);
    const copies = new Map<string, ColumnMapping>();
    const laFigures = new Map<string, ColumnMapping>();
    for (const n of notStored.values()) {
      const measure = n.copyOf && options.catalogue.measure(n.copyOf.measure);
      if (!n.copyOf || !measure) continue;
      if (n.reason === 'la_comparator') {
        laFigures.set(n.column, { column: n.column, measure, breakdown: n.copyOf.breakdown });
        continue;
      }
      copies.set(n.column, { column: n.column, measure, breakdown: n.copyOf.breakdown });
      this.earlierPeriod.set(n.column, {
        timePeriod: n.copyOf.timePeriod,
        timeIdentifier: kind.timeIdentifier,
      });
    }
    // A copy that does not parse is not this file's figure: nothing to report, nothing compared.
    if (copies.size > 0)
      this.earlier = new MeasureColumns(header, copies, IGNORE_PROBLEMS, DFE_CODES);
    if (laFigures.size > 0)
      this.laFigures = new MeasureColumns(header, laFigures, problems, DFE_CODES);
  }

  get cells(): CellCounts {
    return this.coverage.counts;
  }

  *readRow(cells: readonly string[], line: number): Generator<ImportRecord> {
    if (cells.every((c) => c.trim() === '')) return;
    const cell = (column: string): string => {
      const i = this.cellIndex(column);
      return i < 0 ? '' : (cells[i] ?? '');
    };
    const identity = this.kind.identify(cell, {
      definitions: this.context.options.columnDefinitions,
      lastLaCode: this.lastLaCode,
      fileName: this.context.fileName,
    });
    const { policy, period } = this;
    const definitions = this.context.options.columnDefinitions;
    const resolve = (token: string, column: string) =>
      resolveSpecialValue(token, definitions?.get(column), identity.recordType);
    if (identity.kind === 'school') {
      const urn = policy.urn(identity.urn, line, this.kind.urnColumn);
      if (urn === null) return;
      if (/^\d{3}$/.test(identity.laCode)) this.lastLaCode = identity.laCode;
      if (!policy.admitLa(identity.laCode, line, this.kind.laColumn)) return;
      if (!policy.firstOccurrence(`${urn}|${period?.timePeriod ?? ''}`, line, `URN ${urn}`)) return;
      yield { kind: 'school', line, school: withoutUndefined({ urn, ...identity.school }) };
      this.coverage.countRow(cells);
      if (!period || !this.measures) return;
      for (const m of this.measures.read(cells, line, resolve)) {
        yield { kind: 'observation', line, observation: schoolObservation(urn, period, m) };
      }
      if (this.laFigures) yield* this.laFiguresOf(cells, line, identity.laCode, resolve);
      for (const m of this.earlier?.read(cells, line, resolve) ?? []) {
        const earlierPeriod = this.earlierPeriod.get(m.sourceColumn);
        if (!earlierPeriod) continue;
        yield {
          kind: 'earlier-year-value',
          line,
          observation: schoolObservation(urn, earlierPeriod, m),
        };
      }
      return;
    }
    const { area } = identity;
    if (
      area.level === 'local_authority' &&
      !policy.admitLa(area.code, line, this.kind.laColumn, false)
    )
      return;
    const key = `${area.level}|${area.code}|${area.variant}|${period?.timePeriod ?? ''}`;
    if (
      !policy.firstOccurrence(key, line, `The summary row for ${area.code} ${area.variant}`.trim())
    )
      return;
    policy.countSummaryRow(line);
    if (!period || !this.measures) return;
    for (const m of this.measures.read(cells, line, resolve)) {
      yield { kind: 'summary-observation', line, observation: summaryObservation(area, period, m) };
    }
  }

  /** The school's LA figures, once per LA, school group (CFR `MEDIAN`) and measure. */
  private *laFiguresOf(
    cells: readonly string[],
    line: number,
    laCode: string,
    resolve: (token: string, column: string) => SuppressionCode | null,
  ): Generator<ImportRecord> {
    if (!this.laFigures || !this.period || !/^\d{3}$/.test(laCode)) return;
    const group = (cells[this.cellIndex('MEDIAN')] ?? '').trim();
    const key = `${laCode}|${group}`;
    if (this.laFiguresSeen.has(key)) return;
    this.laFiguresSeen.add(key);
    const area: Area = {
      level: 'local_authority',
      code: laCode,
      variant: group ? `group: ${group}` : 'group',
    };
    for (const m of this.laFigures.read(cells, line, resolve)) {
      yield {
        kind: 'summary-observation',
        line,
        observation: summaryObservation(area, this.period, m),
      };
    }
  }

  *finish(): Generator<ImportRecord> {
    this.policy.finish();
  }
}

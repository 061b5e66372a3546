import type { ColumnMapping } from '../catalogue/measure-catalogue';
import { ColumnCoverage, type CellCounts, type ColumnFate } from '../import/column-coverage';
import {
  headerSet,
  type AdapterContext,
  type FileAdapter,
  type RowReader,
} from '../import/file-adapter';
import type { ImportRecord } from '../import/import-record';
import { columnIndex, MeasureColumns, schoolObservation } from '../import/measure-columns';
import { SchoolRowPolicy } from '../import/school-row-policy';
import type { Period, SuppressionCode } from '../model/observation';
import { endYearFromFileName, isSixDigitPeriod, periodEndingIn } from '../model/period';
import { DFE_SPECIAL_VALUES } from '../values/special-values';
import type { MappingProfile } from './mapping-profile';

/** Text of a period cell → EES time_period, or null when it does not fit the transform. */
export function periodFromCell(raw: string, transform: string): string | null {
  const v = raw.trim();
  switch (transform) {
    case 'academic_year_end':
      return /^\d{4}$/.test(v) ? periodEndingIn(Number(v), 'Academic year').timePeriod : null;
    case 'academic_year_start':
      return /^\d{4}$/.test(v) ? periodEndingIn(Number(v) + 1, 'Academic year').timePeriod : null;
    case 'year_range': {
      const m = /^(\d{4})\s*[-/]?\s*(\d{2}|\d{4})$/.exec(v);
      if (!m?.[1] || !m[2]) return null;
      const tp = `${m[1]}${m[2].slice(-2)}`;
      return isSixDigitPeriod(tp) ? tp : null;
    }
    case 'ees_time_period':
      return isSixDigitPeriod(v) ? v : null;
    default:
      return null;
  }
}

/** A reader for any CSV described by a mapping profile. */
export function mappingProfileAdapter(profile: MappingProfile, score = 6): FileAdapter {
  return {
    id: `profile:${profile.id}`,
    description: profile.name,
    detect(header) {
      if (profile.matchColumns.length === 0) return 0;
      const cols = headerSet(header);
      return profile.matchColumns.every((c) => cols.has(c.toUpperCase())) ? score : 0;
    },
    open: (context) => new MappingProfileReader(profile, context),
  };
}

class MappingProfileReader implements RowReader {
  private readonly policy: SchoolRowPolicy;
  private readonly indexOf: (name: string | undefined) => number;
  private readonly codes: ReadonlySet<string>;
  private readonly codeMeaning: Readonly<Record<string, SuppressionCode>>;
  private readonly byPeriod = new Map<string, MeasureColumns>();
  private readonly fixedPeriod: Period | null;
  private readonly periodSeen = new Map<string, Period>();
  private readonly usable: boolean;
  private readonly coverage: ColumnCoverage;

  constructor(
    private readonly profile: MappingProfile,
    private readonly context: AdapterContext,
  ) {
    const { header, problems, options, fileName } = context;
    this.policy = new SchoolRowPolicy(problems, options);
    this.indexOf = columnIndex(header);
    this.codeMeaning = { ...DFE_SPECIAL_VALUES, ...profile.values.codes };
    this.codes = new Set(Object.keys(this.codeMeaning));
    const required = [
      profile.urnColumn,
      'column' in profile.period ? profile.period.column : undefined,
    ];
    let usable = true;
    for (const column of required) {
      if (column !== undefined && this.indexOf(column) < 0) {
        usable = false;
        problems.add('profile_column_missing', {
          line: 1,
          column,
          message: `The mapping profile "${profile.name}" needs a column "${column}", which this file does not have.`,
        });
      }
    }
    const missing = profile.columns.filter((c) => this.indexOf(c.column) < 0).map((c) => c.column);
    if (missing.length > 0) {
      problems.add('profile_column_missing', {
        line: 1,
        severity: 'warning',
        value: [...new Set(missing)].join(', '),
        message: `${new Set(missing).size} column(s) named in the mapping profile are not in this file, so their measures were not imported.`,
      });
    }
    this.usable = usable;
    if (options.period) this.fixedPeriod = options.period;
    else if ('fixed' in profile.period) this.fixedPeriod = profile.period.fixed;
    else if ('fromFileName' in profile.period) {
      const end = endYearFromFileName(fileName);
      this.fixedPeriod = end === null ? null : periodEndingIn(end, profile.period.timeIdentifier);
      if (end === null)
        problems.add('period_unknown', {
          line: 1,
          message: `No year in the file name ${fileName}.`,
        });
    } else this.fixedPeriod = null;
    const fates = new Map<number, ColumnFate>();
    const mark = (c: string | undefined, fate: ColumnFate): void => {
      const i = this.indexOf(c);
      if (i >= 0 && !fates.has(i)) fates.set(i, fate);
    };
    for (const c of profile.columns)
      [c.column, c.denominatorColumn, c.numeratorColumn].forEach((x) => mark(x, 'stored'));
    const details = { notStored: 'school_details' } as const;
    [profile.urnColumn, profile.schoolNameColumn, profile.laCodeColumn].forEach((c) =>
      mark(c, details),
    );
    if ('column' in profile.period) mark(profile.period.column, details);
    profile.ignoreColumns.forEach((c) => mark(c, { notStored: 'ignored_by_profile' }));
    this.coverage = new ColumnCoverage(header, (_c, i) => fates.get(i) ?? 'unknown');
    this.coverage.reportUnknown(problems);
  }

  get cells(): CellCounts {
    return this.coverage.counts;
  }

  get periods(): Period[] {
    return this.fixedPeriod ? [this.fixedPeriod] : [...this.periodSeen.values()];
  }

  private periodOf(cells: readonly string[], line: number): Period | null {
    if (this.fixedPeriod) return this.fixedPeriod;
    const spec = this.profile.period;
    if (!('column' in spec)) return null;
    const raw = cells[this.indexOf(spec.column)] ?? '';
    const timePeriod = periodFromCell(raw, spec.transform);
    if (timePeriod === null) {
      this.context.problems.add('period_unknown', {
        line,
        column: spec.column,
        value: raw,
        message: `"${raw}" in ${spec.column} is not a year the profile can read (${spec.transform}).`,
      });
      return null;
    }
    let period = this.periodSeen.get(timePeriod);
    if (!period) {
      period = { timePeriod, timeIdentifier: spec.timeIdentifier };
      this.periodSeen.set(timePeriod, period);
    }
    return period;
  }

  private measuresFor(period: Period): MeasureColumns {
    let columns = this.byPeriod.get(period.timePeriod);
    if (columns) return columns;
    const mappings = new Map<string, ColumnMapping>();
    for (const c of this.profile.columns) {
      if (c.years && !c.years.includes(period.timePeriod)) continue;
      const measure = this.context.options.catalogue.measure(c.measure);
      if (!measure) continue;
      mappings.set(c.column, {
        column: c.column,
        measure,
        breakdown: c.breakdown,
        denominatorColumn: c.denominatorColumn,
        numeratorColumn: c.numeratorColumn,
        ...(measure.unit === 'percent' && this.profile.values.percentages === 'fraction'
          ? { scale: 100 }
          : {}),
      });
    }
    columns = new MeasureColumns(this.context.header, mappings, this.context.problems, this.codes);
    this.byPeriod.set(period.timePeriod, columns);
    return columns;
  }

  *readRow(cells: readonly string[], line: number): Generator<ImportRecord> {
    if (!this.usable || cells.every((c) => c.trim() === '')) return;
    const { profile, policy } = this;
    const urn = policy.urn(cells[this.indexOf(profile.urnColumn)], line, profile.urnColumn);
    if (urn === null) return;
    const laCode = profile.laCodeColumn
      ? (cells[this.indexOf(profile.laCodeColumn)] ?? '').trim()
      : '';
    if (!policy.admitLa(laCode, line, profile.laCodeColumn ?? '')) return;
    const period = this.periodOf(cells, line);
    if (!period) return;
    if (
      !policy.firstOccurrence(
        `${urn}|${period.timePeriod}`,
        line,
        `URN ${urn} for ${period.timePeriod}`,
      )
    )
      return;
    const name = profile.schoolNameColumn
      ? (cells[this.indexOf(profile.schoolNameColumn)] ?? '').trim()
      : '';
    if (policy.firstSchoolRecord(urn)) {
      yield {
        kind: 'school',
        line,
        school: { urn, ...(name ? { name } : {}), ...(laCode ? { laCode } : {}) },
      };
    }
    this.coverage.countRow(cells);
    const resolve = (token: string): SuppressionCode | null =>
      this.codeMeaning[token.trim()] ?? this.codeMeaning[token.trim().toUpperCase()] ?? null;
    for (const m of this.measuresFor(period).read(cells, line, resolve)) {
      yield { kind: 'observation', line, observation: schoolObservation(urn, period, m) };
    }
  }

  *finish(): Generator<ImportRecord> {
    this.policy.finish();
  }
}

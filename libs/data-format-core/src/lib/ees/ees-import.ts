import { MEASURE_CATALOGUE, type ColumnMapping } from '../catalogue/measure-catalogue';
import type { AdapterContext, RowReader } from '../import/file-adapter';
import type { NamedFile } from '../import/import-options';
import type { ImportRecord } from '../import/import-record';
import { MeasureColumns, schoolObservation, summaryObservation } from '../import/measure-columns';
import { SchoolRowPolicy } from '../import/school-row-policy';
import {
  isBreakdownCode,
  type Area,
  type Breakdown,
  type Period,
  type SuppressionCode,
  type TimeIdentifier,
} from '../model/observation';
import { isSixDigitPeriod } from '../model/period';
import { EES_SYMBOLS } from '../values/special-values';
import { readEesMeta, type EesMeta, type MetaRow } from './ees-meta';
import { EesScreen, screenFileNames } from './ees-screener';
import { LEGACY_NO_DATA_SYMBOLS } from './ees-vocabulary';

// Legacy no-data symbols are already `no_data_symbols` errors; reading them as `x` avoids a
// second error per cell.
const EES_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(EES_SYMBOLS),
  ...LEGACY_NO_DATA_SYMBOLS,
]);
const symbolFor = (token: string): SuppressionCode | null =>
  EES_SYMBOLS[token.trim()] ??
  EES_SYMBOLS[token.trim().toLowerCase()] ??
  (LEGACY_NO_DATA_SYMBOLS.has(token.trim()) ? 'x' : null);
const STORED_IDENTIFIERS: ReadonlySet<string> = new Set<TimeIdentifier>([
  'Academic year',
  'Financial year',
]);

/**
 * EES filter items that name a SchoolBench pupil group. Anything else (school type, term,
 * ethnicity...) has no canonical breakdown: school rows with it are not imported, summary rows
 * keep it in `area.variant`.
 */
export function breakdownForFilterItem(column: string, item: string): Breakdown | null {
  const v = item.trim().toLowerCase();
  if (/^(boys?|male)$/.test(v)) return 'boys';
  if (/^(girls?|female)$/.test(v)) return 'girls';
  if (/^disadvantaged( pupils)?$/.test(v)) return 'disadvantaged';
  if (/^(not disadvantaged|non-disadvantaged|disadvantaged all other|all other pupils)$/.test(v))
    return 'not_disadvantaged';
  if (
    /^(eal|english as an additional language|first language (known or believed to be )?other than english)$/.test(
      v,
    )
  )
    return 'eal';
  // `Special educational needs` and `Non-mobile` are the labels SchoolBench's own EES export
  // writes (toEesCsv): an export must import back (issue 15, ADR 0081).
  if (/^(sen|any sen|all sen|sen support or ehc plan|special educational needs)$/.test(v))
    return 'sen';
  if (/^non[- ]mobile( pupils)?$/.test(v)) return 'non_mobile';
  if (/prior/i.test(column) || /prior attainment/.test(v)) {
    if (/\blow\b|below/.test(v)) return 'prior_low';
    if (/\bmiddle\b|\baverage\b|\bat expected\b/.test(v)) return 'prior_middle';
    if (/\bhigh\b|above/.test(v)) return 'prior_high';
  }
  // SchoolBench's export writes breakdowns without a label (e.g. `sen_support`, from a DfE file's
  // extended groups) as their code in its `pupil_group` filter: read them back as themselves.
  if (column === 'pupil_group' && v !== 'all' && isBreakdownCode(item.trim())) return item.trim();
  return null;
}

function areaFor(level: string, cell: (name: string) => string, variant: string): Area | null {
  switch (level) {
    case 'National':
      return { level: 'national', code: cell('country_code'), name: cell('country_name'), variant };
    case 'Regional':
      return { level: 'regional', code: cell('region_code'), name: cell('region_name'), variant };
    case 'Local authority':
      return {
        level: 'local_authority',
        code: cell('old_la_code') || cell('new_la_code'),
        name: cell('la_name'),
        variant,
      };
    case 'School':
    case 'Provider':
    case 'Institution':
    case 'Planning area':
      return null;
    default:
      return null;
  }
}

/** Reads the metadata, runs the file-level screening and returns the row reader for the data. */
export async function openEesReader(
  context: AdapterContext,
  metaFile: NamedFile | undefined,
): Promise<{ reader: RowReader; metaContentHash: string | null }> {
  const { problems, options, header, fileName } = context;
  screenFileNames(fileName, metaFile?.name, problems);
  const metaSink = metaFile ? problems.forFile(metaFile.name) : problems;
  const meta = metaFile ? await readEesMeta(metaFile.bytes, metaSink) : null;
  const usableMeta = meta && !meta.state.fatal && meta.header.length > 0 ? meta : null;
  const catalogue = options.catalogue ?? MEASURE_CATALOGUE;
  const screen = new EesScreen(
    header,
    usableMeta,
    problems,
    metaSink,
    options.isKnownLaCode,
    options.eesReferenceLists,
    (code) => catalogue.measure(code) !== undefined,
  );
  return {
    reader: new EesReader(context, screen, usableMeta),
    metaContentHash: meta?.state.contentHash ?? null,
  };
}

class EesReader implements RowReader {
  private readonly policy: SchoolRowPolicy;
  private readonly filters: MetaRow[];
  private readonly byPeriod = new Map<string, MeasureColumns>();
  private readonly seenPeriods = new Map<string, Period>();
  private readonly unmappedFilters = new Map<string, number>();
  private unsupportedPeriods = new Set<string>();

  constructor(
    private readonly context: AdapterContext,
    private readonly screen: EesScreen,
    private readonly meta: EesMeta | null,
  ) {
    this.policy = new SchoolRowPolicy(context.problems, context.options);
    this.filters = (meta?.rows ?? []).filter(
      (r) => r.colType === 'Filter' && screen.col(r.colName) >= 0,
    );
    const { catalogue } = context.options;
    const known = catalogue.knownColumns('ees');
    const uncatalogued = (meta?.rows ?? [])
      .filter(
        (r) => r.colType === 'Indicator' && !known.has(r.colName) && !catalogue.measure(r.colName),
      )
      .map((r) => r.colName);
    if (uncatalogued.length > 0) {
      context.problems.add('ees_indicator_not_catalogued', {
        line: 1,
        value: uncatalogued.join(', '),
        message: `${uncatalogued.length} indicator(s) are not in the measure catalogue and were not imported.`,
      });
    }
  }

  get periods(): Period[] {
    return [...this.seenPeriods.values()];
  }

  readBlankRow(line: number): ImportRecord[] {
    this.screen.blankRow(line);
    return [];
  }

  private periodOf(cell: (name: string) => string, line: number): Period | null {
    const identifier = cell('time_identifier');
    const timePeriod = cell('time_period');
    if (!STORED_IDENTIFIERS.has(identifier) || !isSixDigitPeriod(timePeriod)) {
      const key = `${identifier} ${timePeriod}`;
      if (!this.unsupportedPeriods.has(key) && this.unsupportedPeriods.size < 20) {
        this.unsupportedPeriods.add(key);
        this.context.problems.add('ees_period_not_supported', {
          line,
          column: 'time_identifier',
          value: key,
          message: `Rows for ${key} were screened but not imported: SchoolBench stores academic and financial years.`,
        });
      }
      return null;
    }
    const key = `${timePeriod}|${identifier}`;
    let period = this.seenPeriods.get(key);
    if (!period) {
      period = { timePeriod, timeIdentifier: identifier as TimeIdentifier };
      this.seenPeriods.set(key, period);
    }
    return period;
  }

  private measuresFor(period: Period): MeasureColumns {
    let columns = this.byPeriod.get(period.timePeriod);
    if (!columns) {
      const { catalogue } = this.context.options;
      const mappings: Map<string, ColumnMapping> = catalogue.columnsFor('ees', period.timePeriod);
      // SchoolBench's own exports name indicators by measure code.
      for (const row of this.meta?.rows ?? []) {
        const measure = row.colType === 'Indicator' ? catalogue.measure(row.colName) : undefined;
        if (measure && !mappings.has(row.colName)) {
          mappings.set(row.colName, { column: row.colName, measure, breakdown: 'all' });
        }
      }
      columns = new MeasureColumns(this.context.header, mappings, this.context.problems, EES_CODES);
      this.byPeriod.set(period.timePeriod, columns);
    }
    return columns;
  }

  *readRow(cells: readonly string[], line: number): Generator<ImportRecord> {
    this.screen.row(cells, line);
    if (!this.screen.readable || !this.meta) return;
    const cell = (name: string): string => {
      const i = this.screen.col(name);
      return i < 0 ? '' : (cells[i] ?? '').trim();
    };
    const level = cell('geographic_level');
    const period = this.periodOf(cell, line);
    if (!period) return;
    const breakdowns: Breakdown[] = [];
    const variant: string[] = [];
    for (const f of this.filters) {
      const item = cell(f.colName);
      if (item === 'Total' || item === '' || (f.filterDefault !== '' && item === f.filterDefault))
        continue;
      const breakdown = breakdownForFilterItem(f.colName, item);
      if (breakdown) breakdowns.push(breakdown);
      // SchoolBench's export writes a summary row's variant in `summary_group`: take it as is.
      else if (f.colName === 'summary_group') variant.push(item);
      else variant.push(`${f.colName}=${item}`);
    }
    if (breakdowns.length > 1) return;
    const breakdown = breakdowns[0] ?? 'all';
    const values = () => this.measuresFor(period).read(cells, line, symbolFor, breakdown);
    if (level === 'School') {
      if (variant.length > 0) {
        for (const v of variant) {
          const column = v.split('=')[0] ?? v;
          this.unmappedFilters.set(column, (this.unmappedFilters.get(column) ?? 0) + 1);
        }
        return;
      }
      const urn = this.policy.urn(cell('school_urn'), line, 'school_urn');
      if (urn === null) return;
      const laCode = cell('old_la_code');
      if (!this.policy.admitLa(laCode, line, 'old_la_code')) return;
      if (
        !this.policy.firstOccurrence(
          `${urn}|${period.timePeriod}|${period.timeIdentifier}|${breakdown}`,
          line,
          `URN ${urn} (${breakdown})`,
        )
      ) {
        return;
      }
      const name = cell('school_name');
      const laestab = cell('school_laestab');
      if (this.policy.firstSchoolRecord(urn))
        yield {
          kind: 'school',
          line,
          school: {
            urn,
            ...(name ? { name } : {}),
            ...(laestab ? { laestab } : {}),
            ...(laCode ? { laCode } : {}),
          },
        };
      for (const m of values())
        yield { kind: 'observation', line, observation: schoolObservation(urn, period, m) };
      return;
    }
    const area = areaFor(level, cell, variant.sort().join('; '));
    const otherLevel =
      !area &&
      level !== '' &&
      !['School', 'Provider', 'Institution', 'Planning area'].includes(level);
    const resolved: Area | null =
      area ?? (otherLevel ? this.otherArea(level, cell, variant) : null);
    if (!resolved) return;
    if (
      resolved.level === 'local_authority' &&
      !this.policy.admitLa(cell('old_la_code'), line, 'old_la_code', false)
    )
      return;
    this.policy.countSummaryRow(line);
    for (const m of values()) {
      yield {
        kind: 'summary-observation',
        line,
        observation: summaryObservation(resolved, period, m),
      };
    }
  }

  private otherArea(level: string, cell: (name: string) => string, variant: string[]): Area {
    const columns = {
      'Local authority district': ['lad_code', 'lad_name'],
      'Parliamentary constituency': ['pcon_code', 'pcon_name'],
      'Local skills improvement plan area': ['lsip_code', 'lsip_name'],
      'Local enterprise partnership': [
        'local_enterprise_partnership_code',
        'local_enterprise_partnership_name',
      ],
      'English devolved area': ['english_devolved_area_code', 'english_devolved_area_name'],
      'Opportunity area': ['opportunity_area_code', 'opportunity_area_name'],
      Ward: ['ward_code', 'ward_name'],
      MAT: ['trust_id', 'trust_name'],
      Sponsor: ['sponsor_id', 'sponsor_name'],
      'Police force area': ['pfa_code', 'pfa_name'],
      'RSC region': ['rsc_region_lead_name', 'rsc_region_lead_name'],
    } as Record<string, [string, string] | undefined>;
    const [code, name] = columns[level] ?? ['', ''];
    return {
      level: 'other',
      code: cell(code),
      name: cell(name),
      variant: variant.sort().join('; '),
      publishedLevel: level,
    };
  }

  *finish(): Generator<ImportRecord> {
    this.screen.finish(this.context.textState, this.meta?.state ?? null);
    this.policy.finish();
    for (const [column, rows] of this.unmappedFilters) {
      this.context.problems.add('ees_filter_not_mapped', {
        column,
        message: `${rows} school row(s) broken down by ${column} were not imported: only Total rows and rows for SchoolBench pupil groups are.`,
      });
    }
  }
}

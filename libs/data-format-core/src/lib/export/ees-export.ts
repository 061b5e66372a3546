import {
  MEASURE_CATALOGUE,
  type Measure,
  type MeasureCatalogue,
} from '../catalogue/measure-catalogue';
import type { Observation, SchoolRecord, SummaryObservation } from '../model/observation';

/**
 * Spreadsheet formula injection: a text cell starting with one of these runs as a formula when
 * the CSV is opened in Excel or Sheets (OWASP "CSV injection").
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * Makes a text cell safe to open in a spreadsheet by prefixing `'` when it starts with
 * `=`, `+`, `-`, `@`, tab or CR. Only text columns go through this: indicator values are
 * written from numbers by `formatNumber`, so a real value like -0.5 is never altered.
 */
export function neutraliseCell(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Shortest exact text for a finite number; never a formula trigger other than a minus sign. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Cannot export ${value}`);
  return Object.is(value, -0) ? '0' : String(value);
}

const BREAKDOWN_LABELS: Readonly<Record<string, string>> = {
  all: 'Total',
  disadvantaged: 'Disadvantaged',
  not_disadvantaged: 'Not disadvantaged',
  boys: 'Boys',
  girls: 'Girls',
  eal: 'English as an additional language',
  sen: 'Special educational needs',
  prior_low: 'Low prior attainment',
  prior_middle: 'Middle prior attainment',
  prior_high: 'High prior attainment',
  non_mobile: 'Non-mobile',
};

const UNIT_SYMBOL: Readonly<Record<Measure['unit'], string>> = {
  percent: '%',
  gbp: '£',
  score: '',
  count: '',
  ratio: '',
};

const CATEGORY_LABEL: Readonly<Record<Measure['category'], string>> = {
  attainment: 'Attainment',
  progress: 'Progress',
  context: 'Context',
  attendance: 'Attendance',
  finance: 'Finance',
};

export interface EesExportOptions {
  /**
   * `ees` (default): suppressed cells as EES symbols. `source`: as the code the published file
   * used (`SUPP`, `NE`, `LOWCOV`, …) where one was kept, for giving a DfE file back as it was;
   * such a file is not EES-valid.
   */
  readonly symbols?: 'ees' | 'source';
  readonly catalogue?: MeasureCatalogue;
  /** School names and LAESTABs for the school columns EES requires. */
  readonly schools?: ReadonlyMap<string, SchoolRecord>;
  /** LA names for LA-level rows and school rows (from the LA register). */
  readonly laName?: (code: string) => string | undefined;
}

export interface EesExport {
  readonly dataCsv: string;
  readonly metaCsv: string;
}

type Row = {
  readonly key: string;
  readonly cells: Record<string, string>;
  readonly values: Map<string, string>;
};

/**
 * Serialises observations (school rows) and summary observations (national, regional and LA
 * rows) as an EES open-data CSV and its `.meta.csv`: one row per place, period and pupil group,
 * one indicator column per measure, suppressed values as their EES symbol.
 */
export function toEesCsv(
  observations: Iterable<Observation | SummaryObservation>,
  options: EesExportOptions = {},
): EesExport {
  const catalogue = options.catalogue ?? MEASURE_CATALOGUE;
  const rows = new Map<string, Row>();
  const measures = new Set<string>();
  const breakdowns = new Set<string>();
  let hasRegion = false;
  let hasLa = false;
  let hasSchool = false;
  let hasVariant = false;
  for (const o of observations) {
    const cells: Record<string, string> = {
      time_period: o.period.timePeriod,
      time_identifier: o.period.timeIdentifier,
      country_code: 'E92000001',
      country_name: 'England',
    };
    if ('urn' in o) {
      const school = options.schools?.get(o.urn);
      hasSchool = true;
      cells.geographic_level = 'School';
      cells.school_urn = o.urn;
      cells.school_laestab = school?.laestab ?? 'x';
      cells.school_name = school?.name ?? 'Not available';
      if (school?.laCode) {
        hasLa = true;
        cells.old_la_code = school.laCode;
        cells.la_name = options.laName?.(school.laCode) ?? 'Not available';
      }
    } else {
      const { area } = o;
      if (area.level === 'national') cells.geographic_level = 'National';
      else if (area.level === 'regional') {
        hasRegion = true;
        cells.geographic_level = 'Regional';
        cells.region_code = area.code;
        cells.region_name = area.name ?? '';
      } else if (area.level === 'local_authority') {
        hasLa = true;
        cells.geographic_level = 'Local authority';
        cells.old_la_code = area.code;
        cells.la_name = area.name ?? options.laName?.(area.code) ?? 'Not available';
      } else continue;
    }
    const breakdown = o.breakdown;
    breakdowns.add(breakdown);
    cells.pupil_group = BREAKDOWN_LABELS[breakdown] ?? breakdown;
    const variant = 'area' in o ? o.area.variant : '';
    if (variant !== '') hasVariant = true;
    cells.summary_group = variant === '' ? 'Total' : variant;
    const key = JSON.stringify([
      cells.time_period,
      cells.time_identifier,
      cells.geographic_level,
      cells.school_urn,
      cells.old_la_code,
      cells.region_code,
      breakdown,
      variant,
    ]);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { key, cells, values: new Map() }));
    measures.add(o.measure);
    if (o.value !== null) row.values.set(o.measure, formatNumber(o.value));
    else row.values.set(o.measure, (options.symbols === 'source' && o.sourceCode) || o.suppression);
  }
  const measureOrder = catalogue.measures.map((m) => m.code).filter((c) => measures.has(c));
  for (const m of measures) if (!measureOrder.includes(m)) measureOrder.push(m);
  const withGroup = breakdowns.size > 1 || (breakdowns.size === 1 && !breakdowns.has('all'));
  const columns = [
    'time_period',
    'time_identifier',
    'geographic_level',
    'country_code',
    'country_name',
    ...(hasRegion ? ['region_code', 'region_name'] : []),
    ...(hasLa ? ['old_la_code', 'new_la_code', 'la_name'] : []),
    ...(hasSchool ? ['school_urn', 'school_laestab', 'school_name'] : []),
    ...(withGroup ? ['pupil_group'] : []),
    ...(hasVariant ? ['summary_group'] : []),
  ];
  const lines = [[...columns, ...measureOrder].map((c) => csvCell(neutraliseCell(c))).join(',')];
  for (const row of rows.values()) {
    const text = columns.map((c) =>
      // EES wants new_la_code on LA and school rows (x: not known); other levels leave it empty.
      csvCell(
        neutraliseCell(row.cells[c] ?? (c === 'new_la_code' && row.cells.old_la_code ? 'x' : '')),
      ),
    );
    // Indicator cells are numbers we formatted or EES symbols: data, never neutralised.
    const values = measureOrder.map((m) => csvCell(row.values.get(m) ?? 'x'));
    lines.push([...text, ...values].join(','));
  }
  const metaLines = [
    'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  ];
  if (withGroup) metaLines.push('pupil_group,Filter,Pupil group,,,,Filter by pupil group,');
  if (hasVariant)
    metaLines.push(
      'summary_group,Filter,Comparison group,,,,Filter by the group a summary row describes,',
    );
  for (const code of measureOrder) {
    const m = catalogue.measure(code);
    const label = m?.label ?? code;
    metaLines.push(
      [
        code,
        'Indicator',
        label,
        m ? CATEGORY_LABEL[m.category] : '',
        m ? UNIT_SYMBOL[m.unit] : '',
        m ? String(m.decimals) : '',
        '',
        '',
      ]
        .map((c) => csvCell(neutraliseCell(c)))
        .join(','),
    );
  }
  return { dataCsv: `${lines.join('\n')}\n`, metaCsv: `${metaLines.join('\n')}\n` };
}

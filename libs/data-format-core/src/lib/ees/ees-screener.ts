import type { DecodedTextState } from '../bytes/text-decoding';
import type { ProblemLog, ProblemSink, Severity } from '../problems/problem';
import type { EesMeta, MetaRow } from './ees-meta';
import {
  combinationKey,
  GEOGRAPHY_COMBINATION_CHECKS,
  type EesReferenceLists,
} from './ees-reference-lists';
import {
  API_LIMITS,
  COUNTRIES,
  FOUR_DIGIT_IDENTIFIERS,
  GEOGRAPHY_BY_LEVEL,
  GEOGRAPHY_LEVELS,
  INDICATOR_UNITS,
  LEGACY_NO_DATA_SYMBOLS,
  MANDATORY_DATA_COLUMNS,
  MANDATORY_META_COLUMNS,
  NON_TABLE_TOOL_LEVELS,
  NULL_SYMBOLS,
  OBSERVATIONAL_UNITS,
  OBSOLETE_SYMBOLS,
  OPTIONAL_META_COLUMNS,
  POTENTIAL_OBSERVATIONAL_UNIT,
  REGIONS,
  SCHOOL_PROVIDER_NAMES,
  SIX_DIGIT_IDENTIFIERS,
  SMUSHED_INDICATOR,
  STANDARD_ETHNICITY_FILTERS,
  TIME_IDENTIFIER_FAMILIES,
  TIME_IDENTIFIERS_EES,
} from './ees-vocabulary';

export type EesStage = 'file_validation' | 'pre_check_1' | 'pre_check_2' | 'main';

/** The screener stage each rule belongs to, as DfE's screener orders them. */
export const EES_RULE_STAGES: Readonly<Record<string, EesStage>> = {
  filename_spaces: 'file_validation',
  filename_special_characters: 'file_validation',
  naming_convention: 'file_validation',
  invalid_type: 'file_validation',
  file_pair_missing: 'file_validation',
  rows_to_cols: 'file_validation',
  file_separator: 'file_validation',
  data_empty_rows: 'file_validation',
  meta_empty_rows: 'file_validation',
  data_empty_cols: 'file_validation',
  data_mandatory_cols: 'file_validation',
  meta_mandatory_cols: 'file_validation',
  invalid_meta_cols: 'pre_check_1',
  meta_to_data_crosscheck: 'pre_check_1',
  time_identifier: 'pre_check_1',
  geographic_level: 'pre_check_1',
  col_name_completed: 'pre_check_1',
  duplicate_variable_names: 'pre_check_1',
  time_identifier_mix: 'pre_check_2',
  geography_level_present: 'pre_check_2',
  data_variable_spaces: 'pre_check_2',
  ob_unit_meta: 'pre_check_2',
  filter_level: 'pre_check_2',
  utf8: 'pre_check_2',
  col_type: 'pre_check_2',
  time_validation: 'pre_check_2',
};

export function eesRuleStage(rule: string): EesStage {
  return EES_RULE_STAGES[rule] ?? 'main';
}

function extension(name: string): string {
  const m = /\.([^./\\]+)$/.exec(name);
  return m?.[1]?.toLowerCase() ?? '';
}

function baseName(name: string): string {
  return name.replace(/^.*[\\/]/, '');
}

/** File-name rules: spaces, special characters, CSV type and the data/meta naming pair. */
export function screenFileNames(
  dataName: string,
  metaName: string | undefined,
  problems: ProblemLog,
): void {
  const data = baseName(dataName);
  const meta = metaName === undefined ? undefined : baseName(metaName);
  const metaSink = meta ? problems.forFile(meta) : problems;
  for (const [name, sink, what] of [
    [data, problems, 'data'],
    [meta, metaSink, 'metadata'],
  ] as const) {
    if (name === undefined) continue;
    if (/\s/.test(name)) {
      sink.add('filename_spaces', {
        value: name,
        message: `The ${what} file name "${name}" contains spaces.`,
      });
    }
    const stem =
      what === 'metadata'
        ? name.replace(/\.meta\.[^.]+$/i, '').replace(/\.[^.]+$/, '')
        : name.replace(/\.[^.]+$/, '');
    const special = [...new Set(stem.replace(/[A-Za-z0-9_\-\s]/g, ''))];
    if (special.length > 0) {
      sink.add('filename_special_characters', {
        value: name,
        message: `The ${what} file name contains characters files may not use: ${special.join(' ')}.`,
      });
    }
    if (extension(name) !== 'csv') {
      sink.add('invalid_type', {
        value: name,
        message: `The ${what} file "${name}" is not a .csv file.`,
      });
    }
  }
  if (meta === undefined) {
    problems.add('file_pair_missing', {
      message: `No metadata file came with ${data}; EES data files need their .meta.csv.`,
      value: data,
    });
    return;
  }
  const expected = `${data.replace(/\.[^.]+$/, '')}.meta.csv`;
  if (meta !== expected) {
    metaSink.add('naming_convention', {
      value: meta,
      message: `For the data file ${data} the metadata file should be called ${expected}, not ${meta}.`,
    });
  }
}

interface FirstSeen {
  line: number;
  value: string;
}

const LOCATION_CODE_COLUMNS = GEOGRAPHY_LEVELS.flatMap((g) => (g.code ? [g.code] : []));

const TOTAL_WORDS: ReadonlySet<string> = new Set(['Total', 'total', 'All', 'all']);
const TIME_COLUMNS: ReadonlySet<string> = new Set([
  'time_period',
  'time_identifier',
  'geographic_level',
]);

const FILTER = 'Filter';
const INDICATOR = 'Indicator';

/**
 * DfE's EES data screener re-expressed as a streaming check: header and metadata rules run at
 * once, row rules keep small per-column summaries (distinct filter values, first offending line),
 * so a large file is screened without holding its rows.
 *
 * Severity follows DfE's screener (eesyscreener): what it fails is an error, what it only warns
 * about is a warning, so a file DfE's screener passes imports. With DfE's reference lists
 * (`EesReferenceLists`) location code/name pairs, time identifiers, units, symbols, ethnicity
 * values, the data dictionary and the API limits are checked against DfE's own lists.
 */
export class EesScreen {
  private readonly index = new Map<string, number>();
  private readonly filters: MetaRow[];
  private readonly indicators: MetaRow[];
  private readonly filterGroups: string[];
  private readonly filterColumns: string[];
  private readonly metaColumns = new Set<string>();
  private readonly values = new Map<string, Set<string>>();
  private readonly seen = new Map<string, FirstSeen>();
  private readonly nonEmpty: boolean[];
  private readonly levels = new Set<string>();
  private readonly identifiers = new Set<string>();
  private firstIdentifier: string | null = null;
  private readonly tableKeys = new Set<string>();
  private readonly lowLevelKeys = new Set<string>();
  private tableDuplicates = 0;
  private lowDuplicates = 0;
  private firstDuplicateLine: number | null = null;
  private firstLowDuplicateLine: number | null = null;
  private readonly undescribed = new Map<string, { first: string; multi: boolean }>();
  private readonly codeNames = new Map<string, Map<string, Set<string>>>();
  private readonly nameCodes = new Map<string, Map<string, Set<string>>>();
  private readonly exemptObUnits: Set<string>;
  private readonly keyColumns: number[];
  /** Per column: not described by the metadata and not a location (tracked for data_to_meta_crosscheck). */
  private readonly undescribedCandidate: boolean[];
  /** Location columns that must not hold Total or All. */
  private readonly obUnitIndexes: number[];
  private rowCount = 0;
  private readonly limits: EesReferenceLists['apiLimits'];
  private readonly obsoleteSymbols: ReadonlySet<string>;
  private readonly timeIdentifiers: ReadonlySet<string>;
  private readonly fourDigit: ReadonlySet<string>;
  /** Distinct ethnicity_major/ethnicity_minor (or characteristic) values, for DfE's harmonised checks. */
  private readonly ethnicityValues = new Set<string>();
  private readonly characteristicGroups = new Set<string>();
  private readonly ethnicityColumns: { major: number; minor: number; group: number; item: number };

  constructor(
    private readonly header: readonly string[],
    private readonly meta: EesMeta | null,
    private readonly problems: ProblemLog,
    private readonly metaSink: ProblemSink,
    private readonly isKnownLaCode?: (code: string) => boolean,
    /** DfE's reference lists; without them only the format of location codes is checked. */
    private readonly lists?: EesReferenceLists,
    /**
     * SchoolBench's own measure codes (`ks4_progress8_english`): an indicator named exactly so is
     * one measure, not a pupil group squeezed into a name (SchoolBench's exports use them).
     */
    private readonly isCatalogueMeasure?: (code: string) => boolean,
  ) {
    this.limits = lists?.apiLimits ?? API_LIMITS;
    this.obsoleteSymbols = lists?.legacySymbols ?? OBSOLETE_SYMBOLS;
    this.timeIdentifiers = lists?.timeIdentifiers ?? TIME_IDENTIFIERS_EES;
    this.fourDigit = lists?.fourDigitIdentifiers ?? FOUR_DIGIT_IDENTIFIERS;
    header.forEach((h, i) => {
      if (!this.index.has(h)) this.index.set(h, i);
    });
    this.nonEmpty = header.map(() => false);
    const rows = meta?.rows ?? [];
    this.filters = rows.filter((r) => r.colType === FILTER);
    this.indicators = rows.filter((r) => r.colType === INDICATOR);
    this.filterGroups = [
      ...new Set(this.filters.map((r) => r.filterGroupingColumn).filter((g) => g !== '')),
    ];
    this.filterColumns = [
      ...new Set([...this.filters.map((r) => r.colName), ...this.filterGroups]),
    ].filter((c) => this.index.has(c));
    for (const r of rows) {
      this.metaColumns.add(r.colName);
      if (r.filterGroupingColumn) this.metaColumns.add(r.filterGroupingColumn);
    }
    // A school or provider name may be the file's only filter (school-level tables).
    const onlyFilter = this.filters.length === 1 ? this.filters[0] : undefined;
    this.exemptObUnits = new Set(
      onlyFilter
        ? [onlyFilter.colName, onlyFilter.filterGroupingColumn].filter((c) =>
            SCHOOL_PROVIDER_NAMES.has(c),
          )
        : [],
    );
    const keyNames = [
      ...OBSERVATIONAL_UNITS,
      ...this.filters.map((f) => f.colName),
      ...this.filterGroups,
    ];
    this.keyColumns = [...new Set(keyNames)]
      .map((c) => this.index.get(c) ?? -1)
      .filter((i) => i >= 0)
      .sort((a, b) => a - b);
    // Column roles are fixed by the header: decide them once, not per row.
    const isLocation = (c: string) =>
      OBSERVATIONAL_UNITS.has(c) || POTENTIAL_OBSERVATIONAL_UNIT.test(c);
    this.undescribedCandidate = header.map((c) => !this.metaColumns.has(c) && !isLocation(c));
    this.obUnitIndexes = header
      .map((c, i) => (isLocation(c) && !this.exemptObUnits.has(c) && !TIME_COLUMNS.has(c) ? i : -1))
      .filter((i) => i >= 0);
    this.ethnicityColumns = {
      major: this.col('ethnicity_major'),
      minor: this.col('ethnicity_minor'),
      group: this.col('characteristic_group'),
      item: this.col('characteristic'),
    };
    this.screenHeader();
    if (meta) this.screenMeta(meta);
  }

  /** Whether the data has the columns needed to read observations at all. */
  get readable(): boolean {
    return (
      MANDATORY_DATA_COLUMNS.every((c) => this.index.has(c)) &&
      !this.problems.hasRule('duplicate_variable_names')
    );
  }

  col(name: string): number {
    return this.index.get(name) ?? -1;
  }

  private err(
    rule: string,
    message: string,
    extra: {
      line?: number | null;
      column?: string | null;
      value?: string | null;
      severity?: Severity;
    } = {},
  ): void {
    this.problems.add(rule, { message, ...extra });
  }

  private metaErr(
    rule: string,
    message: string,
    extra: {
      line?: number | null;
      column?: string | null;
      value?: string | null;
      severity?: Severity;
    } = {},
  ): void {
    this.metaSink.add(rule, { message, ...extra });
  }

  private once(key: string, line: number, value: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, { line, value });
    return true;
  }

  private screenHeader(): void {
    const { header } = this;
    const missing = MANDATORY_DATA_COLUMNS.filter((c) => !this.index.has(c));
    if (missing.length > 0) {
      this.err(
        'data_mandatory_cols',
        `The data file is missing the mandatory column(s) ${missing.join(', ')}.`,
        { line: 1, value: missing.join(', ') },
      );
    }
    if (header.length === 1 && /[;\t|]/.test(header[0] ?? '')) {
      this.err('file_separator', 'The data file does not use commas between columns.', { line: 1 });
    }
    const counts = new Map<string, number>();
    for (const h of header) counts.set(h, (counts.get(h) ?? 0) + 1);
    const duplicated = [...counts.entries()].filter(([, n]) => n > 1).map(([h]) => h);
    if (duplicated.length > 0) {
      this.err(
        'duplicate_variable_names',
        `Column name(s) used more than once in the data file: ${duplicated.join(', ')}.`,
        { line: 1, value: duplicated.join(', ') },
      );
    }
    const spaced = header.filter((h) => /\s/.test(h));
    if (spaced.length > 0) {
      this.err('data_variable_spaces', `Column name(s) with spaces: ${spaced.join(', ')}.`, {
        line: 1,
        value: spaced.join(', '),
      });
    }
    for (const h of header) {
      if (h.length > this.limits.columnName) {
        this.err(
          'api_char_limit',
          `Column name "${h}" is longer than the EES API limit of ${this.limits.columnName} characters.`,
          { line: 1, column: h, severity: 'warning' },
        );
      }
    }
    const present = (names: readonly string[]): string[] => names.filter((n) => this.index.has(n));
    const region = present(['region_code', 'region_name']);
    if (region.length === 1) {
      this.err(
        'region_col_present',
        `The data file has ${region[0]} but not ${region[0] === 'region_code' ? 'region_name' : 'region_code'}; include both or neither.`,
        { line: 1 },
      );
    }
    const la = present(['old_la_code', 'new_la_code', 'la_name']);
    if (la.length > 0 && la.length < 3) {
      const absent = ['old_la_code', 'new_la_code', 'la_name'].filter((c) => !la.includes(c));
      this.err(
        'la_col_present',
        `The data file has ${la.join(' and ')} but not ${absent.join(' and ')}; include all three LA columns or none.`,
        { line: 1 },
      );
    }
  }

  private screenMeta(meta: EesMeta): void {
    const { rows } = meta;
    const missing = MANDATORY_META_COLUMNS.filter((c) => !meta.header.includes(c));
    if (missing.length > 0) {
      this.metaErr(
        'meta_mandatory_cols',
        `The metadata file is missing the mandatory column(s) ${missing.join(', ')}.`,
        { line: 1, value: missing.join(', ') },
      );
    }
    const allowed = new Set<string>([...MANDATORY_META_COLUMNS, ...OPTIONAL_META_COLUMNS]);
    const invalid = meta.header.filter((h) => !allowed.has(h));
    if (invalid.length > 0) {
      this.metaErr(
        'invalid_meta_cols',
        `The metadata file has column(s) EES does not recognise: ${invalid.join(', ')}.`,
        { line: 1, value: invalid.join(', ') },
      );
    }
    for (const line of meta.blankRowLines)
      this.metaErr('meta_empty_rows', 'This row of the metadata file is blank.', { line });
    // Without a data file (a lone .meta.csv) the cross-file checks have nothing to compare.
    const withData = this.header.length > 0;
    if (withData && rows.length > this.header.length - 5) {
      this.metaErr(
        'rows_to_cols',
        `The metadata file has ${rows.length} rows but the data file has only ${Math.max(this.header.length - 5, 0)} columns besides the 5 mandatory ones.`,
      );
    }
    const names = new Map<string, number>();
    const labels = new Map<string, number>();
    for (const r of rows) {
      const at = { line: r.line };
      if (r.colName === '')
        this.metaErr('col_name_completed', 'col_name is blank on this metadata row.', at);
      if (/\s/.test(r.colName))
        this.metaErr('col_name_spaces', `col_name "${r.colName}" contains spaces.`, {
          ...at,
          value: r.colName,
        });
      const firstName = names.get(r.colName);
      if (r.colName !== '' && firstName !== undefined) {
        this.metaErr(
          'col_name_duplicate',
          `col_name "${r.colName}" is also on line ${firstName}.`,
          { ...at, value: r.colName },
        );
      } else names.set(r.colName, r.line);
      if (r.colType !== FILTER && r.colType !== INDICATOR) {
        this.metaErr('col_type', `col_type is "${r.colType}"; it must be Filter or Indicator.`, {
          ...at,
          column: 'col_type',
          value: r.colType,
        });
      }
      if (r.label === '')
        this.metaErr('label', `${r.colName || 'This row'} has no label.`, {
          ...at,
          column: 'label',
        });
      else {
        const firstLabel = labels.get(r.label);
        if (firstLabel !== undefined)
          this.metaErr(
            'duplicate_label',
            `The label "${r.label}" is also used on line ${firstLabel}.`,
            { ...at, column: 'label', value: r.label },
          );
        else labels.set(r.label, r.line);
        if (r.label.length > this.limits.columnLabel) {
          this.metaErr(
            'api_char_limit',
            `The label of ${r.colName} is longer than the EES API limit of ${this.limits.columnLabel} characters.`,
            { ...at, column: 'label', severity: 'warning' },
          );
        }
      }
      for (const cell of r.cells) {
        if (NULL_SYMBOLS.has(cell.trim())) {
          this.metaErr(
            'null',
            `The metadata file contains "${cell.trim()}"; leave the cell blank instead.`,
            { ...at, value: cell.trim() },
          );
          break;
        }
      }
      if (OBSERVATIONAL_UNITS.has(r.colName) || OBSERVATIONAL_UNITS.has(r.filterGroupingColumn)) {
        const ob = OBSERVATIONAL_UNITS.has(r.colName) ? r.colName : r.filterGroupingColumn;
        const singleNameFilter = this.filters.length === 1 && SCHOOL_PROVIDER_NAMES.has(ob);
        if (!singleNameFilter) {
          this.metaErr(
            'ob_unit_meta',
            `${ob} is a time or location column and must not be in the metadata file${SCHOOL_PROVIDER_NAMES.has(ob) ? ' unless it is the only filter' : ''}.`,
            { ...at, value: ob },
          );
        }
      }
      if (r.colType === FILTER) {
        if (POTENTIAL_OBSERVATIONAL_UNIT.test(r.colName) && !OBSERVATIONAL_UNITS.has(r.colName)) {
          this.metaErr(
            'geographic_catch',
            `The filter ${r.colName} looks like a location column.`,
            { ...at, value: r.colName },
          );
        }
        if (r.indicatorGrouping)
          this.metaErr('indicator_grouping', `The filter ${r.colName} has an indicator_grouping.`, {
            ...at,
            column: 'indicator_grouping',
          });
        if (r.indicatorUnit)
          this.metaErr('indicator_unit', `The filter ${r.colName} has an indicator_unit.`, {
            ...at,
            column: 'indicator_unit',
          });
        if (r.indicatorDp)
          this.metaErr('indicator_dp', `The filter ${r.colName} has an indicator_dp.`, {
            ...at,
            column: 'indicator_dp',
          });
        for (const c of [r.colName, r.filterGroupingColumn]) {
          if (/ethnic/i.test(c) && !STANDARD_ETHNICITY_FILTERS.has(c)) {
            this.metaErr(
              'standard_filter_headers',
              `The ethnicity filter ${c} should use a standard name (${[...STANDARD_ETHNICITY_FILTERS].join(', ')}).`,
              { ...at, value: c },
            );
          }
        }
      }
      if (r.colType === INDICATOR) {
        if (r.filterHint)
          this.metaErr('filter_hint', `The indicator ${r.colName} has a filter_hint.`, {
            ...at,
            column: 'filter_hint',
          });
        if (r.filterGroupingColumn)
          this.metaErr('filter_group', `The indicator ${r.colName} has a filter_grouping_column.`, {
            ...at,
            column: 'filter_grouping_column',
          });
        if (
          this.lists
            ? r.indicatorUnit !== '' && !this.lists.indicatorUnits.has(r.indicatorUnit)
            : !INDICATOR_UNITS.has(r.indicatorUnit)
        ) {
          this.metaErr(
            'indicator_unit_validation',
            `indicator_unit "${r.indicatorUnit}" is not one EES accepts.`,
            { ...at, column: 'indicator_unit', value: r.indicatorUnit },
          );
        }
        if (r.indicatorDp !== '' && !/^\d+$/.test(r.indicatorDp)) {
          this.metaErr(
            'indicator_dp_validation',
            `indicator_dp "${r.indicatorDp}" is not a whole number of decimal places.`,
            { ...at, column: 'indicator_dp', value: r.indicatorDp },
          );
        }
        if (SMUSHED_INDICATOR.test(r.colName) && !this.isCatalogueMeasure?.(r.colName)) {
          this.metaErr(
            'indicators_smushed',
            `The indicator ${r.colName} seems to hold one pupil group; use a filter for the groups.`,
            { ...at, value: r.colName },
          );
        }
      }
    }
    if (this.lists) this.screenDictionaryColumns(rows, this.lists);
    if (withData && rows.length > 0 && !rows.some((r) => this.index.has(r.colName))) {
      this.metaErr(
        'meta_file_mismatch',
        'None of the columns the metadata describes are in the data file: the two files do not belong together.',
      );
    }
    const crossMissing = [...new Set([...rows.map((r) => r.colName), ...this.filterGroups])].filter(
      (c) => c !== '' && !this.index.has(c),
    );
    if (withData && crossMissing.length > 0) {
      this.metaErr(
        'meta_to_data_crosscheck',
        `The metadata names column(s) the data file does not have: ${crossMissing.join(', ')}.`,
        { value: crossMissing.join(', ') },
      );
    }
    const groupsMissing = this.filterGroups.filter((g) => !this.index.has(g));
    if (withData && groupsMissing.length > 0) {
      this.metaErr(
        'filter_group_match',
        `filter_grouping_column(s) not found in the data file: ${groupsMissing.join(', ')}.`,
        { value: groupsMissing.join(', ') },
      );
    }
    const groupOwners = new Map<string, string>();
    for (const f of this.filters) {
      if (!f.filterGroupingColumn) continue;
      const owner = groupOwners.get(f.filterGroupingColumn);
      if (owner) {
        this.metaErr(
          'filter_group_duplicate',
          `The filter group ${f.filterGroupingColumn} is used by both ${owner} and ${f.colName}.`,
          { line: f.line, value: f.filterGroupingColumn },
        );
      } else groupOwners.set(f.filterGroupingColumn, f.colName);
      if (names.has(f.filterGroupingColumn)) {
        this.metaErr(
          'filter_group_not_filter',
          `The filter group ${f.filterGroupingColumn} is also listed as a column in col_name.`,
          { line: f.line, value: f.filterGroupingColumn, severity: 'warning' },
        );
      }
    }
    const groups = [
      ...new Set(this.indicators.map((r) => r.indicatorGrouping).filter((g) => g !== '')),
    ];
    if (new Set(groups.map((g) => g.replace(/[^A-Za-z0-9]/g, ''))).size !== groups.length) {
      this.metaErr(
        'indicator_group_stripped',
        `Indicator groups differ only by punctuation or spaces: ${groups.join(' | ')}.`,
        { value: groups.join(' | ') },
      );
    }
    const dps = this.indicators.filter((r) => r.indicatorUnit !== 'numberstring');
    const withDp = dps.filter((r) => r.indicatorDp !== '');
    if (withDp.length > 0 && withDp.length < dps.length) {
      const blank = dps.filter((r) => r.indicatorDp === '').map((r) => r.colName);
      this.metaErr(
        'indicator_dp_completed',
        `indicator_dp is set for some indicators but not for ${blank.join(', ')}.`,
        { value: blank.join(', ') },
      );
    } else if (withDp.length === 0 && dps.length > 0) {
      this.metaErr(
        'indicator_dp_completed',
        'No indicator has indicator_dp; EES will show values as published.',
        { severity: 'warning' },
      );
    }
  }

  /** DfE's data dictionary of standard column names: advice for API data sets (`data_dict_col_name`). */
  private screenDictionaryColumns(rows: readonly MetaRow[], lists: EesReferenceLists): void {
    const nonStandard = new Set<string>();
    for (const r of rows) {
      for (const c of [r.colName, r.filterGroupingColumn]) {
        if (c !== '' && !lists.dictionaryColumns.has(`${r.colType}|${c}`)) nonStandard.add(c);
      }
    }
    if (nonStandard.size > 0) {
      this.metaErr(
        'data_dictionary_col_name',
        `Column(s) not in DfE's data dictionary (not for an EES API data set until resolved): ${[...nonStandard].join(', ')}.`,
        { value: [...nonStandard].join(', ') },
      );
    }
  }

  /** Screens one data row; the caller skips nothing but blank rows. */
  row(cells: readonly string[], line: number): void {
    this.rowCount += 1;
    const cell = (name: string): string => {
      const i = this.index.get(name);
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    for (let i = 0; i < this.nonEmpty.length; i++)
      if (!this.nonEmpty[i] && (cells[i] ?? '').trim() !== '') this.nonEmpty[i] = true;
    const level = cell('geographic_level');
    const identifier = cell('time_identifier');
    const period = cell('time_period');
    this.levels.add(level);
    this.firstIdentifier ??= identifier;
    this.identifiers.add(identifier);
    if (
      this.index.has('geographic_level') &&
      !GEOGRAPHY_BY_LEVEL.has(level) &&
      this.once(`geographic_level|${level}`, line, level)
    ) {
      this.err(
        'geographic_level',
        level === '' ? 'geographic_level is blank.' : `"${level}" is not an EES geographic_level.`,
        { line, column: 'geographic_level', value: level },
      );
    }
    if (
      this.index.has('time_identifier') &&
      !this.timeIdentifiers.has(identifier) &&
      this.once(`time_identifier|${identifier}`, line, identifier)
    ) {
      this.err(
        'time_identifier',
        identifier === ''
          ? 'time_identifier is blank.'
          : `"${identifier}" is not an EES time_identifier.`,
        { line, column: 'time_identifier', value: identifier },
      );
    }
    this.screenTime(period, identifier, line);
    this.screenValues(cells, line);
    this.screenGeography(cell, line, level);
    this.screenDuplicates(cells, line, level);
  }

  blankRow(line: number): void {
    this.err('data_empty_rows', 'This row of the data file is blank.', { line });
  }

  private screenTime(period: string, identifier: string, line: number): void {
    if (!this.index.has('time_period')) return;
    if (!/^\d+$/.test(period)) {
      if (this.once(`time_validation|${period}`, line, period)) {
        this.err(
          'time_validation',
          `time_period "${period}" contains characters other than digits.`,
          { line, column: 'time_period', value: period },
        );
      }
      return;
    }
    const digits = this.fourDigit.has(identifier)
      ? 4
      : (this.lists ? this.timeIdentifiers.has(identifier) : SIX_DIGIT_IDENTIFIERS.has(identifier))
        ? 6
        : null;
    if (
      digits !== null &&
      period.length !== digits &&
      this.once(`time_period|${period}|${identifier}`, line, period)
    ) {
      this.err(
        'time_period',
        `time_period "${period}" should have ${digits} digits for ${identifier}.`,
        { line, column: 'time_period', value: period },
      );
    }
    if (period.length === 6) {
      const a = Number(period.slice(2, 4));
      const b = Number(period.slice(4, 6));
      if ((a + 1) % 100 !== b && this.once(`time_period_six|${period}`, line, period)) {
        this.err(
          'time_period_six',
          `time_period "${period}" does not name two consecutive years.`,
          { line, column: 'time_period', value: period },
        );
      }
    }
  }

  private screenValues(cells: readonly string[], line: number): void {
    this.header.forEach((column, i) => {
      const raw = cells[i] ?? '';
      const value = raw.trim();
      if (NULL_SYMBOLS.has(value) && this.once(`null|${value}`, line, value)) {
        this.err('null', `"${value}" is used for missing data.`, { line, column, value });
      }
      if (LEGACY_NO_DATA_SYMBOLS.has(value) && this.once(`no_data_symbols|${value}`, line, value)) {
        this.err('no_data_symbols', `"${value}" is a legacy symbol for missing data.`, {
          line,
          column,
          value,
        });
      }
      if (this.undescribedCandidate[i]) {
        const u = this.undescribed.get(column);
        if (!u) this.undescribed.set(column, { first: value, multi: false });
        else if (!u.multi && u.first !== value) u.multi = true;
      }
    });
    for (const f of this.filterColumns) {
      const i = this.index.get(f) ?? -1;
      const raw = cells[i] ?? '';
      const value = raw.trim();
      let set = this.values.get(f);
      if (!set) this.values.set(f, (set = new Set()));
      set.add(value);
      if (value === '' && this.once(`blanks_filters|${f}`, line, raw)) {
        this.err('blanks_filters', `The filter ${f} is blank on this row.`, { line, column: f });
      }
      if (raw !== value && value !== '' && this.once(`whitespace_filters|${f}`, line, raw)) {
        this.err(
          'whitespace_filters',
          `The value "${raw}" of ${f} has spaces at its start or end.`,
          { line, column: f, value: raw },
        );
      }
      if (value.length > this.limits.columnItem && this.once(`api_item|${f}`, line, value)) {
        this.err(
          'api_char_limit',
          `A value of ${f} is longer than the EES API limit of ${this.limits.columnItem} characters.`,
          { line, column: f, severity: 'warning' },
        );
      }
    }
    for (const ind of this.indicators) {
      const i = this.index.get(ind.colName);
      if (i === undefined) continue;
      const value = (cells[i] ?? '').trim();
      if (value === '' && this.once(`blanks_indicators|${ind.colName}`, line, value)) {
        this.err('blanks_indicators', `The indicator ${ind.colName} is blank on this row.`, {
          line,
          column: ind.colName,
        });
      }
      if (
        this.obsoleteSymbols.has(value) &&
        this.once(`obsolete_symbols|${ind.colName}`, line, value)
      ) {
        this.err(
          'obsolete_symbols',
          `"${value}" is an obsolete symbol; use the GSS symbols (c, x, z, low, u).`,
          // DfE's screener fails a file with the legacy symbols: EES no longer shows them.
          { line, column: ind.colName, value },
        );
      }
    }
    const eth = this.ethnicityColumns;
    if (eth.major >= 0 || eth.minor >= 0) {
      this.ethnicityValues.add(
        combinationKey([
          eth.major >= 0 ? (cells[eth.major] ?? '') : '',
          eth.minor >= 0 ? (cells[eth.minor] ?? '') : '',
        ]),
      );
    } else if (eth.group >= 0 && eth.item >= 0) {
      const group = cells[eth.group] ?? '';
      this.characteristicGroups.add(group);
      if (/ethnic/i.test(group)) this.ethnicityValues.add(cells[eth.item] ?? '');
    }
    for (const i of this.obUnitIndexes) {
      const column = this.header[i] ?? '';
      const value = (cells[i] ?? '').trim();
      if (TOTAL_WORDS.has(value) && this.once(`observational_total|${column}`, line, value)) {
        this.err(
          'observational_total',
          `The location column ${column} holds "${value}"; leave it blank instead.`,
          {
            line,
            column,
            value,
          },
        );
      }
    }
  }

  private screenGeography(cell: (name: string) => string, line: number, level: string): void {
    const geography = GEOGRAPHY_BY_LEVEL.get(level);
    if (geography && level !== 'Planning area') {
      // new_la_code may be blank for LAs that no longer exist.
      const required = [
        geography.code === 'new_la_code' ? null : geography.code,
        geography.name,
        geography.secondaryCode,
      ];
      for (const c of required) {
        if (
          c &&
          this.index.has(c) &&
          cell(c) === '' &&
          this.once(`geography_level_completed|${level}|${c}`, line, '')
        ) {
          this.err('geography_level_completed', `${c} must be filled in on ${level} rows.`, {
            line,
            column: c,
          });
        }
      }
    }
    if (
      (level === 'Local authority' || level === 'Local authority district') &&
      this.index.has('region_code') &&
      this.index.has('region_name')
    ) {
      if (cell('region_code') === '' || cell('region_name') === '') {
        const rule = level === 'Local authority' ? 'region_for_la' : 'region_for_lad';
        if (this.once(rule, line, '')) {
          this.err(rule, `${level} rows need both region_code and region_name.`, {
            line,
            column: cell('region_code') === '' ? 'region_code' : 'region_name',
          });
        }
      }
    }
    this.screenOvercompleted(cell, line, level);
    this.screenCodes(cell, line, level);
  }

  private screenOvercompleted(cell: (name: string) => string, line: number, level: string): void {
    const below = ['School', 'Provider', 'Institution', 'Planning area'];
    const allowed: Record<string, readonly string[]> = {
      Regional: GEOGRAPHY_LEVELS.map((g) => g.level).filter((l) => l !== 'National'),
      'Local authority': [
        'Local authority',
        'Parliamentary constituency',
        'Local authority district',
        'Ward',
        ...below,
      ],
      // Police force areas are built from districts, so their rows may name them.
      'Local authority district': [
        'Local authority district',
        'Ward',
        'Police force area',
        'School',
        'Provider',
        'Institution',
      ],
      'Local skills improvement plan area': [
        'Local skills improvement plan area',
        'Local authority district',
        ...below,
      ],
    };
    for (const g of GEOGRAPHY_LEVELS) {
      if (g.level === 'National' || g.level === level) continue;
      let ok: readonly string[];
      if (allowed[g.level]) ok = allowed[g.level] ?? [];
      else if (below.includes(g.level)) ok = [g.level];
      else ok = [g.level, ...below];
      if (ok.includes(level)) continue;
      const onlyNameFilter = below.includes(g.level) && this.exemptObUnits.has(g.name);
      for (const c of [g.code, onlyNameFilter ? null : g.name, g.secondaryCode]) {
        if (
          c &&
          this.index.has(c) &&
          cell(c) !== '' &&
          this.once(`overcompleted_cols|${c}`, line, cell(c))
        ) {
          this.err(
            'overcompleted_cols',
            `${c} is filled in on a ${level || 'blank-level'} row, where it does not apply.`,
            { line, column: c, value: cell(c) },
          );
        }
      }
    }
  }

  private pair(kind: string, code: string, name: string): void {
    if (code === '' && name === '') return;
    let byCode = this.codeNames.get(kind);
    if (!byCode) this.codeNames.set(kind, (byCode = new Map<string, Set<string>>()));
    let names = byCode.get(code);
    if (!names) byCode.set(code, (names = new Set<string>()));
    names.add(name);
    let byName = this.nameCodes.get(kind);
    if (!byName) this.nameCodes.set(kind, (byName = new Map<string, Set<string>>()));
    let codes = byName.get(name);
    if (!codes) byName.set(name, (codes = new Set<string>()));
    codes.add(code);
  }

  private screenCodes(cell: (name: string) => string, line: number, level: string): void {
    if (this.lists) this.screenListedCodes(cell, line, this.lists);
    else this.screenCodeFormats(cell, line, level);
    for (const g of GEOGRAPHY_LEVELS.filter((l) =>
      ['Opportunity area', 'MAT', 'Sponsor'].includes(l.level),
    )) {
      if (level !== g.level || !g.code) continue;
      this.pair(`other|${g.level}`, cell(g.code), cell(g.name));
    }
    this.screenLocationLengths(cell, line);
  }

  /**
   * DfE's `check_geog_*_combos`: every code/name pair present, at any geographic level, must be
   * in DfE's list for its level. `x` (not available) is not checked here (`na_geography` is);
   * `z` passes only with the names DfE lists for it ("Not applicable", "Unknown", ...); a blank
   * code is not checked (`geography_level_completed` covers the rows that need one).
   */
  private screenListedCodes(
    cell: (name: string) => string,
    line: number,
    lists: EesReferenceLists,
  ): void {
    for (const check of GEOGRAPHY_COMBINATION_CHECKS) {
      if (!this.index.has(check.code) || !this.index.has(check.name)) continue;
      if (check.secondaryCode && !this.index.has(check.secondaryCode)) continue;
      const code = cell(check.code);
      if (code === '' || code === 'x') continue;
      const secondary = check.secondaryCode ? cell(check.secondaryCode) : null;
      if (secondary === '') continue;
      const name = cell(check.name);
      const parts = secondary === null ? [code, name] : [secondary, code, name];
      const key = combinationKey(parts);
      if (lists.geographyCombinations.get(check.rule)?.has(key)) continue;
      if (this.once(`${check.rule}|${key}`, line, code)) {
        const columns = [check.secondaryCode, check.code, check.name].filter(Boolean).join(' / ');
        this.err(
          check.rule,
          `"${parts.join(' / ')}" is not a valid ${columns} combination in DfE's list (names are case sensitive).`,
          { line, column: check.code, value: parts.join(' / ') },
        );
      }
    }
    const old = cell('old_la_code');
    if (/^\d{3}$/.test(old) && this.isKnownLaCode && !this.isKnownLaCode(old)) {
      if (this.once(`unknown_la_code|${old}`, line, old)) {
        this.err('unknown_la_code', `LA code ${old} is not in the LA register.`, {
          line,
          column: 'old_la_code',
          value: old,
        });
      }
    }
  }

  /** Without DfE's lists: the format of each location code and one name per code. */
  private screenCodeFormats(cell: (name: string) => string, line: number, level: string): void {
    // x (not available) and z (not applicable) stand in for any location code.
    const symbol = (v: string): boolean => v === 'x' || v === 'z' || v === ':';
    const country = cell('country_code');
    if (this.index.has('country_code') && country !== '') {
      const name = cell('country_name');
      if (
        !symbol(country) &&
        !COUNTRIES.some(([c]) => c === country) &&
        this.once(`country_code|${country}`, line, country)
      ) {
        this.err('country_code', `"${country}" is not an ONS country code.`, {
          line,
          column: 'country_code',
          value: country,
        });
      }
      if (
        !symbol(country) &&
        !COUNTRIES.some(([c, n]) => c === country && n === name) &&
        this.once(`country_combinations|${country}|${name}`, line, country)
      ) {
        this.err(
          'country_combinations',
          `"${country} ${name}" is not a standard country code and name.`,
          {
            line,
            column: 'country_code',
            value: `${country} ${name}`,
          },
        );
      }
    }
    if (this.index.has('region_code')) {
      const code = cell('region_code');
      const name = cell('region_name');
      if (
        code !== '' &&
        !symbol(code) &&
        !/^[A-Z]\d{8}$/.test(code) &&
        this.once(`region_code|${code}`, line, code)
      ) {
        this.err('region_code', `"${code}" is not a 9-character ONS region code.`, {
          line,
          column: 'region_code',
          value: code,
        });
      }
      if (
        (level === 'Regional' || code !== '') &&
        !symbol(code) &&
        !REGIONS.some(([c, n]) => c === code && n === name) &&
        this.once(`region_combinations|${code}|${name}`, line, code)
      ) {
        this.err(
          'region_combinations',
          `"${code} ${name}" is not a standard region code and name (names are case sensitive).`,
          {
            line,
            column: 'region_code',
            value: `${code} ${name}`,
          },
        );
      }
    }
    if (this.index.has('old_la_code')) {
      const old = cell('old_la_code');
      const neu = cell('new_la_code');
      const name = cell('la_name');
      let combo = false;
      if (old !== '' && !symbol(old) && !/^\d{3}$/.test(old)) {
        combo = true;
        if (this.once(`old_la_code|${old}`, line, old)) {
          this.err('old_la_code', `old_la_code "${old}" is not a 3-digit DfE LA code.`, {
            line,
            column: 'old_la_code',
            value: old,
          });
        }
      }
      if (neu !== '' && !symbol(neu) && !/^[A-Z]\d{8}$/.test(neu)) {
        combo = true;
        if (this.once(`new_la_code|${neu}`, line, neu)) {
          this.err('new_la_code', `new_la_code "${neu}" is not a 9-character ONS code.`, {
            line,
            column: 'new_la_code',
            value: neu,
          });
        }
      }
      if (/^\d{3}$/.test(old) && this.isKnownLaCode && !this.isKnownLaCode(old)) {
        combo = true;
        if (this.once(`unknown_la_code|${old}`, line, old)) {
          this.err('unknown_la_code', `LA code ${old} is not in the LA register.`, {
            line,
            column: 'old_la_code',
            value: old,
          });
        }
      }
      if (combo && this.once(`la_combinations|${old}|${neu}|${name}`, line, old)) {
        this.err(
          'la_combinations',
          `"${old} ${neu} ${name}" is not a valid LA code and name combination.`,
          {
            line,
            column: 'old_la_code',
            value: `${old} ${neu} ${name}`,
          },
        );
      }
      if (!symbol(old) && (old !== '' || neu !== '' || name !== ''))
        this.pair('la', `${old}|${neu}`, name);
    }
    const simple: readonly [string, string, string][] = [
      ['lad_combinations', 'lad_code', 'lad_name'],
      [
        'lep_combinations',
        'local_enterprise_partnership_code',
        'local_enterprise_partnership_name',
      ],
      ['lsip_combinations', 'lsip_code', 'lsip_name'],
      ['eda_combinations', 'english_devolved_area_code', 'english_devolved_area_name'],
      ['pcon_combinations', 'pcon_code', 'pcon_name'],
      ['ward_combinations', 'ward_code', 'ward_name'],
    ];
    for (const [rule, codeCol, nameCol] of simple) {
      if (!this.index.has(codeCol)) continue;
      const code = cell(codeCol);
      const name = cell(nameCol);
      if ((code === '' && name === '') || symbol(code)) continue;
      if (!/^[A-Z]\d{8}$/.test(code) && this.once(`${rule}|${code}|${name}`, line, code)) {
        this.err(rule, `"${code} ${name}": ${codeCol} must be a 9-character ONS code.`, {
          line,
          column: codeCol,
          value: `${code} ${name}`,
        });
      }
      this.pair(rule, code, name);
    }
  }

  private screenLocationLengths(cell: (name: string) => string, line: number): void {
    for (const c of LOCATION_CODE_COLUMNS) {
      const v = cell(c);
      if (v.length > this.limits.locationCode && this.once(`api_code|${c}`, line, v)) {
        this.err(
          'api_char_limit',
          `The location code in ${c} is longer than the EES API limit of ${this.limits.locationCode} characters.`,
          {
            line,
            column: c,
            severity: 'warning',
          },
        );
      }
    }
    for (const g of GEOGRAPHY_LEVELS) {
      const v = cell(g.name);
      if (v.length > this.limits.columnItem && this.once(`api_name|${g.name}`, line, v)) {
        this.err(
          'api_char_limit',
          `The location name in ${g.name} is longer than the EES API limit of ${this.limits.columnItem} characters.`,
          {
            line,
            column: g.name,
            severity: 'warning',
          },
        );
      }
    }
  }

  private screenDuplicates(cells: readonly string[], line: number, level: string): void {
    const key = this.keyColumns.map((i) => cells[i] ?? '').join('\u0001');
    if (level === 'Institution' || level === 'Planning area') return;
    if (level === 'School' || level === 'Provider') {
      if (this.lowLevelKeys.has(key)) {
        this.lowDuplicates += 1;
        this.firstLowDuplicateLine ??= line;
      } else this.lowLevelKeys.add(key);
      return;
    }
    if (this.tableKeys.has(key)) {
      this.tableDuplicates += 1;
      this.firstDuplicateLine ??= line;
    } else this.tableKeys.add(key);
  }

  finish(dataState: DecodedTextState, metaState: DecodedTextState | null): void {
    const levels = [...this.levels];
    if (this.index.has('geographic_level') && this.rowCount > 0) this.finishLevels(levels);
    if (dataState.encoding !== 'utf-8') this.err('utf8', 'The data file is not saved as UTF-8.');
    if (metaState && metaState.encoding !== 'utf-8')
      this.metaErr('utf8', 'The metadata file is not saved as UTF-8.');
    const empty = this.header.filter((_h, i) => !this.nonEmpty[i] && this.rowCount > 0);
    if (empty.length > 0)
      this.err('data_empty_cols', `Column(s) with no values at all: ${empty.join(', ')}.`, {
        value: empty.join(', '),
      });
    if (this.firstIdentifier !== null && this.index.has('time_identifier')) {
      const family =
        TIME_IDENTIFIER_FAMILIES.find((f) => f.includes(this.firstIdentifier ?? '')) ?? [];
      const strays = [...this.identifiers].filter(
        (t) => !family.includes(t) && TIME_IDENTIFIERS_EES.has(t),
      );
      if (strays.length > 0) {
        this.err(
          'time_identifier_mix',
          `The file mixes "${this.firstIdentifier}" with ${strays.map((s) => `"${s}"`).join(', ')}.`,
          { value: strays.join(', ') },
        );
      }
    }
    this.finishFilters();
    if (this.lists) this.finishEthnicity(this.lists);
    const unexplained = [...this.undescribed.entries()].filter(([, u]) => u.multi).map(([c]) => c);
    if (unexplained.length > 0 && this.meta) {
      this.err(
        'data_to_meta_crosscheck',
        `Column(s) in the data file that are not in the metadata, not locations and not single-valued: ${unexplained.join(', ')}.`,
        { value: unexplained.join(', ') },
      );
    }
    this.finishPairs();
  }

  private finishLevels(levels: string[]): void {
    const missing = new Set<string>();
    if (!(levels.length === 1 && levels[0] === 'National')) {
      for (const l of levels) {
        const g = GEOGRAPHY_BY_LEVEL.get(l);
        if (!g || l === 'Police force area') continue;
        for (const c of [g.code, g.name, g.secondaryCode])
          if (c && !this.index.has(c)) missing.add(c);
      }
    }
    if (missing.size > 0) {
      this.err(
        'geography_level_present',
        `For the geographic levels ${levels.join(', ')} the data file needs the column(s) ${[...missing].join(', ')}.`,
        { value: [...missing].join(', ') },
      );
    }
    const hasSchool = levels.includes('School');
    const hasProvider = levels.includes('Provider');
    if (hasSchool && hasProvider) {
      this.err('sch_prov_mixed', 'The file mixes School and Provider rows.');
    }
    const tableTool = levels.filter((l) => l !== 'Institution' && l !== 'Planning area');
    if (tableTool.length === 0) {
      this.err(
        'not_table_tool',
        'The file only has Institution or Planning area rows, which the EES table tool does not use.',
      );
    } else if (
      levels.some((l) => NON_TABLE_TOOL_LEVELS.has(l)) &&
      !(levels.length === 1 && (hasSchool || hasProvider))
    ) {
      this.err(
        'ignored_rows',
        `Rows at ${levels.filter((l) => NON_TABLE_TOOL_LEVELS.has(l)).join(', ')} level will not appear in the EES table tool.`,
        { severity: 'warning' },
      );
    }
    if (this.tableDuplicates > 0) {
      this.err(
        'duplicate_rows',
        `${this.tableDuplicates} row(s) repeat the time, location and filter values of an earlier row.`,
        { line: this.firstDuplicateLine },
      );
    }
    if (this.lowDuplicates > 0 && levels.length === 1 && (hasSchool || hasProvider)) {
      this.err(
        'duplicate_rows',
        `${this.lowDuplicates} ${levels[0]} row(s) repeat the time, location and filter values of an earlier row.`,
        { line: this.firstLowDuplicateLine },
      );
    }
  }

  private finishFilters(): void {
    for (const f of this.filters) {
      const values = this.values.get(f.colName);
      if (!values) continue;
      if (values.size < 2) {
        this.err(
          'filter_level',
          `The filter ${f.colName} has only one value (${[...values][0] ?? ''}); remove it from the metadata.`,
          { column: f.colName },
        );
      }
      const groupValues = f.filterGroupingColumn
        ? this.values.get(f.filterGroupingColumn)
        : undefined;
      if (groupValues && groupValues.size > values.size) {
        this.err(
          'filter_group_level',
          `The filter group ${f.filterGroupingColumn} has more values (${groupValues.size}) than its filter ${f.colName} (${values.size}).`,
          { column: f.filterGroupingColumn },
        );
      }
    }
    for (const g of this.filterGroups) {
      const values = this.values.get(g);
      if (!values) continue;
      if (new Set([...values].map((v) => v.replace(/[^A-Za-z0-9]/g, ''))).size !== values.size) {
        this.err(
          'filter_group_stripped',
          `Values of the filter group ${g} differ only by punctuation or spaces: ${[...values].join(' | ')}.`,
          { column: g },
        );
      }
    }
    // DfE's check_filter_defaults advises (never rejects): each filter needs its filter_default
    // item, "Total" when none is given.
    const defaults = new Map(
      this.filters.map((f) => [f.colName, f.filterDefault === '' ? 'Total' : f.filterDefault]),
    );
    for (const c of this.filterColumns) {
      const values = this.values.get(c);
      const wanted = defaults.get(c) ?? 'Total';
      if (!values || values.has(wanted)) continue;
      const all = [...values].find((v) => v.toLowerCase() === 'all');
      this.err(
        'total',
        all && wanted === 'Total'
          ? `The filter ${c} uses "${all}" for all values; EES expects "Total".`
          : `The filter ${c} has no "${wanted}" item; add one if a total applies.`,
        { column: c, value: all ?? null },
      );
    }
    if (this.lists) this.finishDictionaryItems(this.lists);
  }

  /** DfE's data dictionary: standard filter columns should use its standard items (`data_dict_fil_item`). */
  private finishDictionaryItems(lists: EesReferenceLists): void {
    for (const f of this.filters) {
      for (const c of [f.colName, f.filterGroupingColumn]) {
        if (c === '' || !lists.dictionaryColumns.has(`Filter|${c}`)) continue;
        const standard = lists.dictionaryFilterItems.get(c) ?? new Set<string>();
        const odd = [...(this.values.get(c) ?? [])].filter((v) => !standard.has(v));
        if (odd.length > 0) {
          this.err(
            'data_dictionary_filter_item',
            `Item(s) of ${c} not in DfE's data dictionary (not for an EES API data set until resolved): ${odd.slice(0, 10).join(', ')}${odd.length > 10 ? ', …' : ''}.`,
            { column: c, value: odd.slice(0, 10).join(', ') },
          );
        }
      }
    }
  }

  /**
   * DfE's harmonised ethnicity checks: values outside the GSS standard are advice
   * (`harmonised_eth_vals`, `harmonised_eth_char_vals`); an ethnicity characteristic_group not
   * named after a standard ethnicity column is an error (`harmonised_eth_char_grp`).
   */
  private finishEthnicity(lists: EesReferenceLists): void {
    const { major, minor, group, item } = this.ethnicityColumns;
    let odd: string[] = [];
    if (major >= 0 || minor >= 0) {
      for (const key of this.ethnicityValues) {
        const [ma = '', mi = ''] = key.split('\u0001');
        const ok =
          major >= 0 && minor >= 0
            ? lists.ethnicityPairs.has(key)
            : major >= 0
              ? lists.ethnicityMajor.has(ma)
              : lists.ethnicityMinor.has(mi);
        if (!ok) odd.push(major >= 0 && minor >= 0 ? `${ma}, ${mi}` : major >= 0 ? ma : mi);
      }
      if (odd.length > 0) {
        this.err(
          'ethnicity_values',
          `Ethnicity value(s) that do not follow the GSS standard: ${odd.join(' | ')}.`,
          { column: major >= 0 ? 'ethnicity_major' : 'ethnicity_minor', value: odd.join(' | ') },
        );
      }
      return;
    }
    if (group < 0 || item < 0) return;
    const standardGroups = [...STANDARD_ETHNICITY_FILTERS].map((c) =>
      c.replace(/_/g, ' ').replace(/\b\w/g, (l) => l.toUpperCase()),
    );
    const badGroups = [...this.characteristicGroups].filter(
      (g) => /ethnic/i.test(g) && !standardGroups.some((s) => g.includes(s)),
    );
    if (badGroups.length > 0) {
      this.err(
        'ethnicity_characteristic_group',
        `characteristic_group value(s) about ethnicity that do not use a standard name (${standardGroups.join(', ')}): ${badGroups.join(' | ')}.`,
        { column: 'characteristic_group', value: badGroups.join(' | ') },
      );
    }
    odd = [...this.ethnicityValues].filter(
      (v) => !lists.ethnicityMajor.has(v) && !lists.ethnicityMinor.has(v),
    );
    if (odd.length > 0) {
      this.err(
        'ethnicity_characteristic_values',
        `Ethnicity characteristic value(s) that do not follow the GSS standard: ${odd.join(' | ')}.`,
        { column: 'characteristic', value: odd.join(' | ') },
      );
    }
  }

  private finishPairs(): void {
    for (const [kind, byCode] of this.codeNames) {
      const rule =
        kind === 'la'
          ? 'la_combinations'
          : kind.startsWith('other|')
            ? 'other_geography_code_duplicates'
            : kind;
      for (const [code, names] of byCode) {
        if (names.size > 1 && code !== 'x' && code !== 'z' && code !== '') {
          this.err(
            rule,
            `The code ${code.replace('|', ' / ')} has ${names.size} different names: ${[...names].join(' | ')}.`,
            { value: code },
          );
        }
      }
    }
    for (const [kind, byName] of this.nameCodes) {
      // Ward names repeat across districts (there are many "Abbey" wards), so only codes must be unique there.
      if (kind === 'ward_combinations') continue;
      const rule =
        kind === 'la'
          ? 'la_combinations'
          : kind.startsWith('other|')
            ? 'other_geography_duplicates'
            : kind;
      for (const [name, codes] of byName) {
        if (codes.size > 1 && name !== '' && name !== 'Not available') {
          this.err(rule, `${name} has ${codes.size} different codes: ${[...codes].join(' | ')}.`, {
            value: name,
          });
        }
      }
    }
  }
}

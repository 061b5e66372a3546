import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

/**
 * The reference lists DfE's EES screener (eesyscreener) checks files against: valid location
 * code/name combinations per geographic level, harmonised ethnicity values, time identifiers,
 * indicator units, GSS symbols, the data dictionary and the EES API character limits.
 *
 * They are DfE's data, kept outside the repository (`../shared/data/ees/lookups`, or wherever
 * `EES_REFERENCE_LISTS_DIR` points in production) and read once per process: everything here is
 * a Set or Map, so the per-row cost of a lookup is one hash probe.
 */
export interface EesReferenceLists {
  /** Where the lists were read from, for reports. */
  readonly source: string;
  /** Per screener rule, the accepted `code␁name` (LA: `old␁new␁name`) keys, DfE's extra `z` options included. */
  readonly geographyCombinations: ReadonlyMap<GeographyCombinationRule, ReadonlySet<string>>;
  readonly ethnicityPairs: ReadonlySet<string>;
  readonly ethnicityMajor: ReadonlySet<string>;
  readonly ethnicityMinor: ReadonlySet<string>;
  readonly timeIdentifiers: ReadonlySet<string>;
  readonly fourDigitIdentifiers: ReadonlySet<string>;
  /** Accepted `indicator_unit` values; blank is always accepted. */
  readonly indicatorUnits: ReadonlySet<string>;
  readonly gssSymbols: ReadonlySet<string>;
  /** `~` and `:`: EES no longer accepts them in indicators. */
  readonly legacySymbols: ReadonlySet<string>;
  /** Data dictionary: `Filter|col_name` / `Indicator|col_name` of standard columns. */
  readonly dictionaryColumns: ReadonlySet<string>;
  /** Data dictionary: the standard items of each standard filter column. */
  readonly dictionaryFilterItems: ReadonlyMap<string, ReadonlySet<string>>;
  readonly apiLimits: {
    readonly locationCode: number;
    readonly columnName: number;
    readonly columnLabel: number;
    readonly columnItem: number;
  };
}

export type GeographyCombinationRule =
  | 'country_combinations'
  | 'region_combinations'
  | 'la_combinations'
  | 'lad_combinations'
  | 'pcon_combinations'
  | 'ward_combinations'
  | 'lep_combinations'
  | 'lsip_combinations'
  | 'eda_combinations';

export interface GeographyCombinationCheck {
  readonly rule: GeographyCombinationRule;
  readonly file: string;
  readonly code: string;
  readonly name: string;
  /** LA rows also carry the 3-digit DfE code, which must fit the same list row. */
  readonly secondaryCode?: string;
}

/** Which list checks which columns (eesyscreener `check_geog_*_combos`). */
export const GEOGRAPHY_COMBINATION_CHECKS: readonly GeographyCombinationCheck[] = [
  {
    rule: 'country_combinations',
    file: 'acceptable_countries.csv',
    code: 'country_code',
    name: 'country_name',
  },
  {
    rule: 'region_combinations',
    file: 'acceptable_regions.csv',
    code: 'region_code',
    name: 'region_name',
  },
  {
    rule: 'la_combinations',
    file: 'acceptable_las.csv',
    code: 'new_la_code',
    name: 'la_name',
    secondaryCode: 'old_la_code',
  },
  { rule: 'lad_combinations', file: 'acceptable_lads.csv', code: 'lad_code', name: 'lad_name' },
  { rule: 'pcon_combinations', file: 'acceptable_pcons.csv', code: 'pcon_code', name: 'pcon_name' },
  { rule: 'ward_combinations', file: 'acceptable_wards.csv', code: 'ward_code', name: 'ward_name' },
  {
    rule: 'lep_combinations',
    file: 'acceptable_leps.csv',
    code: 'local_enterprise_partnership_code',
    name: 'local_enterprise_partnership_name',
  },
  { rule: 'lsip_combinations', file: 'acceptable_lsips.csv', code: 'lsip_code', name: 'lsip_name' },
  {
    rule: 'eda_combinations',
    file: 'acceptable_edas.csv',
    code: 'english_devolved_area_code',
    name: 'english_devolved_area_name',
  },
];

const SEP = '\u0001';

export function combinationKey(parts: readonly string[]): string {
  return parts.join(SEP);
}

type Row = Record<string, string>;

function rows(text: string): Row[] {
  return parse<Row>(text, { columns: true, skip_empty_lines: true, bom: true });
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** R's write.csv writes a missing value as a bare NA. */
const present = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== 'NA';

/** Builds the lists from the files' text; `read` gets a file name of the lookups folder. */
export function parseEesReferenceLists(
  read: (file: string) => string,
  source = 'ees lookups',
): EesReferenceLists {
  const extra = rows(read('acceptable_extra_geog_options.csv'));
  const geographyCombinations = new Map<GeographyCombinationRule, ReadonlySet<string>>();
  for (const check of GEOGRAPHY_COMBINATION_CHECKS) {
    const keys = new Set<string>();
    for (const r of rows(read(check.file))) {
      const code = r[check.code] ?? '';
      const name = r[check.name] ?? '';
      keys.add(
        combinationKey(
          check.secondaryCode ? [r[check.secondaryCode] ?? '', code, name] : [code, name],
        ),
      );
    }
    // DfE accepts `z` only with the names of its extra options ("Not applicable", "Unknown", ...).
    for (const e of extra) {
      const code = e['code'] ?? '';
      const name = e['name'] ?? '';
      keys.add(combinationKey(check.secondaryCode ? ['z', code, name] : [code, name]));
    }
    geographyCombinations.set(check.rule, keys);
  }
  const ethnicity = rows(read('acceptable_ethnicity_values.csv'));
  const limits = new Map(
    rows(read('api_char_limits.csv')).map((r) => [r['id'] ?? '', Number(r['char_limit'])]),
  );
  const limit = (id: string): number => {
    const n = limits.get(id);
    if (n === undefined || !Number.isFinite(n)) {
      throw new Error(`${source}: api_char_limits.csv has no limit for ${id}`);
    }
    return n;
  };
  const dictionaryColumns = new Set<string>();
  const dictionaryFilterItems = new Map<string, Set<string>>();
  const addItem = (column: string, item: string) => {
    let items = dictionaryFilterItems.get(column);
    if (!items) dictionaryFilterItems.set(column, (items = new Set()));
    items.add(item);
  };
  for (const r of rows(read('data_dictionary.csv'))) {
    const type = r['col_type'] ?? '';
    for (const [col, item] of [
      [r['col_name'], r['filter_item']],
      [r['col_name_parent'], r['filter_item_parent']],
    ] as const) {
      if (!present(col)) continue;
      dictionaryColumns.add(`${type}|${col}`);
      if (type === 'Filter' && present(item)) addItem(col, item);
    }
  }
  return {
    source,
    geographyCombinations,
    ethnicityPairs: new Set(
      ethnicity.map((r) =>
        combinationKey([r['ethnicity_major'] ?? '', r['ethnicity_minor'] ?? '']),
      ),
    ),
    ethnicityMajor: new Set(ethnicity.map((r) => r['ethnicity_major'] ?? '')),
    ethnicityMinor: new Set(ethnicity.map((r) => r['ethnicity_minor'] ?? '')),
    timeIdentifiers: new Set(lines(read('acceptable_time_ids.txt'))),
    fourDigitIdentifiers: new Set(lines(read('four_digit_identifiers.txt'))),
    indicatorUnits: new Set(lines(read('acceptable_indicator_units.txt'))),
    gssSymbols: new Set(lines(read('gss_symbols.txt'))),
    legacySymbols: new Set(lines(read('legacy_gss_symbols.txt'))),
    dictionaryColumns,
    dictionaryFilterItems,
    apiLimits: {
      locationCode: limit('location-code'),
      columnName: limit('column-name'),
      columnLabel: limit('column-label'),
      columnItem: limit('column-item'),
    },
  };
}

const loaded = new Map<string, EesReferenceLists>();

/**
 * Reads the lists from a folder once per process (later calls return the same object). A missing
 * or unreadable file stops with an error naming it: the product does not screen EES files
 * without DfE's lists.
 */
export function loadEesReferenceLists(folder: string): EesReferenceLists {
  const dir = resolve(folder);
  const cached = loaded.get(dir);
  if (cached) return cached;
  const lists = parseEesReferenceLists((file) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (e) {
      throw new Error(
        `Cannot read DfE's EES reference list ${file} in ${dir} (EES_REFERENCE_LISTS_DIR): ${(e as Error).message}`,
      );
    }
  }, dir);
  loaded.set(dir, lists);
  return lists;
}

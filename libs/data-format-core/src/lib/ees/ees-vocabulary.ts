/**
 * The fixed vocabulary of the EES open-data format, as DfE's screener defines it
 * (dfe-published-data-qa `R/knownVariables.r`, `data/geography_matrix.csv`, `country.csv`,
 * `regions.csv`; eesyscreener). Re-expressed here, not copied.
 */

export interface GeographyLevel {
  readonly level: string;
  readonly code: string | null;
  readonly name: string;
  readonly secondaryCode: string | null;
}

export const GEOGRAPHY_LEVELS: readonly GeographyLevel[] = [
  { level: 'National', code: 'country_code', name: 'country_name', secondaryCode: null },
  { level: 'Regional', code: 'region_code', name: 'region_name', secondaryCode: null },
  { level: 'Local authority', code: 'new_la_code', name: 'la_name', secondaryCode: 'old_la_code' },
  { level: 'Local authority district', code: 'lad_code', name: 'lad_name', secondaryCode: null },
  { level: 'RSC region', code: null, name: 'rsc_region_lead_name', secondaryCode: null },
  {
    level: 'Parliamentary constituency',
    code: 'pcon_code',
    name: 'pcon_name',
    secondaryCode: null,
  },
  {
    level: 'Local skills improvement plan area',
    code: 'lsip_code',
    name: 'lsip_name',
    secondaryCode: null,
  },
  {
    level: 'Local enterprise partnership',
    code: 'local_enterprise_partnership_code',
    name: 'local_enterprise_partnership_name',
    secondaryCode: null,
  },
  {
    level: 'English devolved area',
    code: 'english_devolved_area_code',
    name: 'english_devolved_area_name',
    secondaryCode: null,
  },
  {
    level: 'Opportunity area',
    code: 'opportunity_area_code',
    name: 'opportunity_area_name',
    secondaryCode: null,
  },
  { level: 'Ward', code: 'ward_code', name: 'ward_name', secondaryCode: null },
  { level: 'MAT', code: 'trust_id', name: 'trust_name', secondaryCode: null },
  { level: 'Sponsor', code: 'sponsor_id', name: 'sponsor_name', secondaryCode: null },
  { level: 'School', code: 'school_urn', name: 'school_name', secondaryCode: 'school_laestab' },
  { level: 'Provider', code: 'provider_ukprn', name: 'provider_name', secondaryCode: null },
  { level: 'Institution', code: 'institution_id', name: 'institution_name', secondaryCode: null },
  {
    level: 'Planning area',
    code: 'planning_area_code',
    name: 'planning_area_name',
    secondaryCode: null,
  },
  { level: 'Police force area', code: 'pfa_code', name: 'pfa_name', secondaryCode: null },
];

export const GEOGRAPHY_BY_LEVEL: ReadonlyMap<string, GeographyLevel> = new Map(
  GEOGRAPHY_LEVELS.map((g) => [g.level, g]),
);

/** Levels the EES table tool does not show. */
export const NON_TABLE_TOOL_LEVELS: ReadonlySet<string> = new Set([
  'School',
  'Provider',
  'Institution',
  'Planning area',
]);

/** Time and location columns: never filters or indicators. */
export const OBSERVATIONAL_UNITS: ReadonlySet<string> = new Set([
  'time_period',
  'time_identifier',
  'geographic_level',
  ...GEOGRAPHY_LEVELS.flatMap((g) =>
    [g.code, g.name, g.secondaryCode].filter((c): c is string => c !== null),
  ),
  // Older screener versions also list these.
  'school_estab',
  'school_postcode',
  'provider_urn',
  'provider_upin',
]);

/** Columns that look like locations even when not standard (`schoolName`, `ProviderNumber`). */
export const POTENTIAL_OBSERVATIONAL_UNIT =
  /(^(country|sch|prov|inst|estab|reg|la|local|rsc|pfa|pcon|lep|mca|oa|ward|mat).*(name|code|urn|ukprn|number|upin|id)$)|(^(laestab|estab|sch|school|schools|prov|provider|providers|inst|institution|institutions|name|code|urn|ukprn|number|upin|id|region|la|lad|rsc|pcon|lep|mca|oa|ward|mat)$)/i;

export const SCHOOL_PROVIDER_NAMES: ReadonlySet<string> = new Set(['school_name', 'provider_name']);

export const MANDATORY_DATA_COLUMNS = [
  'time_period',
  'time_identifier',
  'geographic_level',
  'country_code',
  'country_name',
] as const;

export const MANDATORY_META_COLUMNS = [
  'col_name',
  'col_type',
  'label',
  'indicator_grouping',
  'indicator_unit',
  'indicator_dp',
  'filter_hint',
  'filter_grouping_column',
] as const;

/** Optional metadata columns EES accepts besides the mandatory ones. */
export const OPTIONAL_META_COLUMNS = ['filter_default'] as const;

const TERMS = ['Spring term', 'Autumn term', 'Summer term'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKS = Array.from({ length: 52 }, (_, i) => `Week ${i + 1}`);
const FINANCIAL_QUARTERS = [
  'Financial year Q1',
  'Financial year Q2',
  'Financial year Q3',
  'Financial year Q4',
];
const FINANCIAL_HALVES = ['Part 1 (April to September)', 'Part 2 (October to March)'];
const OTHER_QUARTERS = ['Calendar year', 'Academic year', 'Tax year'].flatMap((y) =>
  [1, 2, 3, 4].map((q) => `${y} Q${q}`),
);

/** Families of time identifiers that may share a file (`time_identifier_mix`). */
export const TIME_IDENTIFIER_FAMILIES: readonly (readonly string[])[] = [
  ['Autumn and spring term'],
  ['Calendar year'],
  ['Financial year'],
  ['Academic year'],
  ['Tax year'],
  ['Reporting year'],
  TERMS,
  WEEKS,
  MONTHS,
  FINANCIAL_QUARTERS,
  FINANCIAL_HALVES,
  ...['Calendar year', 'Academic year', 'Tax year'].map((y) =>
    [1, 2, 3, 4].map((q) => `${y} Q${q}`),
  ),
];

export const TIME_IDENTIFIERS_EES: ReadonlySet<string> = new Set(TIME_IDENTIFIER_FAMILIES.flat());

export const FOUR_DIGIT_IDENTIFIERS: ReadonlySet<string> = new Set([
  'Calendar year',
  'Reporting year',
  ...WEEKS,
  ...MONTHS,
  ...OTHER_QUARTERS.filter((q) => q.startsWith('Calendar')),
]);

export const SIX_DIGIT_IDENTIFIERS: ReadonlySet<string> = new Set([
  'Autumn and spring term',
  ...TERMS,
  'Financial year',
  'Academic year',
  'Tax year',
  ...FINANCIAL_QUARTERS,
  ...FINANCIAL_HALVES,
  ...OTHER_QUARTERS.filter((q) => !q.startsWith('Calendar')),
]);

export const COUNTRIES: readonly (readonly [string, string])[] = [
  ['E92000001', 'England'],
  ['K02000001', 'United Kingdom'],
  ['K03000001', 'Great Britain'],
  ['K04000001', 'England and Wales'],
  ['N92000002', 'Northern Ireland'],
  ['S92000003', 'Scotland'],
  ['W92000004', 'Wales'],
  ['z', 'England, Wales and Northern Ireland'],
  ['z', 'Outside of England and unknown'],
  ['z', 'Outside of the United Kingdom and unknown'],
  ['z', 'Outside of England'],
  ['z', 'Outside of the United Kingdom'],
];

export const REGIONS: readonly (readonly [string, string])[] = [
  ['E12000001', 'North East'],
  ['E12000002', 'North West'],
  ['E12000003', 'Yorkshire and The Humber'],
  ['E12000004', 'East Midlands'],
  ['E12000005', 'West Midlands'],
  ['E12000006', 'East of England'],
  ['E12000007', 'London'],
  ['E12000008', 'South East'],
  ['E12000009', 'South West'],
  ['E13000001', 'Inner London'],
  ['E13000002', 'Outer London'],
  ['z', 'Outside of England and unknown'],
  ['z', 'Outside of United Kingdom and unknown'],
  ['z', 'Outside of England'],
  ['z', 'Outside of United Kingdom'],
];

export const INDICATOR_UNITS: ReadonlySet<string> = new Set([
  '',
  '%',
  'pp',
  '£',
  '£m',
  'numberstring',
]);

/** Values EES does not accept for missing data (`null`, `no_data_symbols`). */
export const NULL_SYMBOLS: ReadonlySet<string> = new Set(['NA', 'na', 'Null', 'null', 'NULL']);
export const LEGACY_NO_DATA_SYMBOLS: ReadonlySet<string> = new Set(['N/A', 'n/a', '.', '..', '-']);
export const OBSOLETE_SYMBOLS: ReadonlySet<string> = new Set(['~', ':']);

/** Substrings that suggest an indicator holds one pupil group (`check_col_ind_smushed`). */
export const SMUSHED_INDICATOR =
  /male|female|asian|chinese|indian|pakistani|bangladeshi|black|african|caribbean|white|roma|irish|english|british|scottish|welsh|northern irish|arab/i;

/** Standard names for ethnicity filters (DfE harmonised headers). */
export const STANDARD_ETHNICITY_FILTERS: ReadonlySet<string> = new Set([
  'ethnicity_major',
  'ethnicity_minor',
  'ethnicity_detailed',
  'minority_ethnic',
]);

/** EES API limits (eesyscreener `api_char_limits`). */
export const API_LIMITS = {
  locationCode: 30,
  columnName: 50,
  columnLabel: 80,
  columnItem: 120,
} as const;

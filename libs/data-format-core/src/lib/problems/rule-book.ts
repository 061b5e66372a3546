import type { Severity } from './problem';

interface Guidance {
  readonly severity: Severity;
  readonly fix: string;
}

const SAVE_AS_CSV =
  'Open the file in Excel and use File > Save As > "CSV UTF-8 (Comma delimited)", then upload it again.';

/**
 * Default severity and the plain-English fix for every rule the importer reports. EES screener
 * rules keep DfE's names (dfe-published-data-qa / eesyscreener) so officers can look them up
 * in DfE's guidance.
 */
const RULES: Record<string, Guidance> = {
  // Whole-file problems
  empty_file: {
    severity: 'error',
    fix: 'The file has no content. Check you chose the right file and upload it again.',
  },
  header_only: {
    severity: 'error',
    fix: 'The file has column names but no rows of data. Export the file again with its data rows.',
  },
  wrong_separator: {
    severity: 'error',
    fix: `SchoolBench reads comma-separated files, as DfE publishes them. ${SAVE_AS_CSV}`,
  },
  binary_file: {
    severity: 'error',
    fix: `This is not a text CSV file (it looks like a spreadsheet, archive or document). ${SAVE_AS_CSV}`,
  },
  wrong_encoding: {
    severity: 'error',
    fix: `The file mixes text encodings or is saved as UTF-16 ("Unicode text"). ${SAVE_AS_CSV}`,
  },
  decoded_as_windows_1252: {
    severity: 'warning',
    fix: 'Nothing to do: the file was saved in the older Windows encoding and was read as such. Saving as "CSV UTF-8" avoids this note.',
  },
  file_too_large: {
    severity: 'error',
    fix: 'The file is larger than the upload limit. Split it (for example by year) or ask the platform operator to raise the limit.',
  },
  truncated_row: {
    severity: 'error',
    fix: 'The file ends part-way through a row, so it was cut off while copying or downloading. Download or export the complete file again.',
  },
  malformed_csv: {
    severity: 'error',
    fix: 'A quote mark in this row is not where CSV expects it. Open the file in Excel and save it again as CSV, which repairs the quoting.',
  },
  unknown_file_format: {
    severity: 'error',
    fix: 'The columns do not match any supported file (DfE performance tables, census, absence, CFR, EES open data). Upload the file as published by DfE, or choose a mapping profile for it.',
  },
  // Values
  non_numeric_value: {
    severity: 'error',
    fix: 'This column must hold a number or a DfE code (SUPP, NE, NA, NP, LOWCOV). Correct the cell, or leave it empty if there is no value.',
  },
  out_of_range: {
    severity: 'error',
    fix: 'Percentages must be between 0 and 100. Check the cell was not typed as a fraction or shifted into the wrong column.',
  },
  duplicate_observation: {
    severity: 'error',
    fix: 'The same school, measure, year and pupil group appears more than once. Delete the repeated row so each school appears once.',
  },
  missing_urn: {
    severity: 'error',
    fix: 'Each school row needs its 6-digit URN. Fill in the URN or remove the row.',
  },
  invalid_urn: {
    severity: 'error',
    fix: 'A URN is a 6-digit number (for example 116382). Correct the value in this row.',
  },
  unknown_la_code: {
    severity: 'error',
    fix: 'This local authority code is not in the LA register. Check the code (for example 850 for Hampshire); old files may use codes that changed, such as 835-837 for Dorset, Poole and Bournemouth.',
  },
  other_la_row_skipped: {
    severity: 'warning',
    fix: 'Nothing to do if this is expected: rows for other local authorities are left out of your upload.',
  },
  no_rows_for_authority: {
    severity: 'error',
    fix: "This file holds no schools of your authority: check you chose your own authority's file. National files are loaded by the operator as public data, not uploaded by an authority.",
  },
  summary_row_set_apart: {
    severity: 'warning',
    fix: 'Nothing to do: LA and national summary rows are stored separately from school rows.',
  },
  earlier_year_differs: {
    severity: 'warning',
    fix: "This file repeats an earlier year's figure (a column ending _17, _18, …) that differs from the value stored from that year's own file. DfE sometimes revises earlier figures: check which is right, and upload the corrected earlier file if the stored one is out of date.",
  },
  unknown_column_ignored: {
    severity: 'warning',
    fix: 'Nothing to do unless you expected this column to be imported; if so, ask for it to be added to the measure catalogue or use a mapping profile.',
  },
  period_unknown: {
    severity: 'error',
    fix: 'The year the data is about could not be worked out. Keep the year in the file name as DfE publishes it (for example 2017-2018_850_ks2final.csv) or choose a mapping profile that sets the year.',
  },
  // Mapping profiles
  invalid_mapping_profile: {
    severity: 'error',
    fix: 'The mapping profile is not valid. Correct the listed field in the profile and save it again.',
  },
  profile_column_missing: {
    severity: 'error',
    fix: 'The mapping profile expects this column but the file does not have it. Check the file is the right one for this profile, or edit the profile.',
  },
  // EES pairs
  file_pair_missing: {
    severity: 'error',
    fix: 'EES files come in pairs: data.csv and data.meta.csv. Upload both files together.',
  },
  meta_file_mismatch: {
    severity: 'error',
    fix: 'The .meta.csv file does not describe this data file. Upload the metadata file produced with this data file.',
  },
  ees_filter_not_mapped: {
    severity: 'warning',
    fix: 'Nothing to do: rows broken down by this filter have no matching SchoolBench pupil group, so only the Total rows were imported.',
  },
  ees_indicator_not_catalogued: {
    severity: 'warning',
    fix: 'Nothing to do unless you need this indicator; ask for it to be added to the measure catalogue.',
  },
};

const EES_RULES: Record<string, string> = {
  filename_spaces:
    'Remove the spaces from the file names (use underscores instead), for example school_data.csv and school_data.meta.csv.',
  filename_special_characters:
    'File names may only contain letters, numbers, hyphens and underscores. Rename the files and upload them again.',
  naming_convention:
    'Name the metadata file after the data file: data.csv goes with data.meta.csv.',
  invalid_type: `Both files must be CSV files. ${SAVE_AS_CSV}`,
  rows_to_cols:
    'The metadata file has more rows than the data file has columns to describe. Check the right metadata file was uploaded.',
  file_separator:
    'Columns must be separated by commas. Save the file as CSV (comma delimited), not with semicolons or tabs.',
  data_empty_rows:
    'Delete the blank rows from the data file (open it in a text editor to find them).',
  meta_empty_rows: 'Delete the blank rows from the metadata file.',
  data_empty_cols: 'Delete the empty columns from the data file, or fill them in.',
  data_mandatory_cols:
    'Add the columns every EES data file needs: time_period, time_identifier, geographic_level, country_code and country_name.',
  meta_mandatory_cols:
    'Add the metadata columns EES needs: col_name, col_type, label, indicator_grouping, indicator_unit, indicator_dp, filter_hint and filter_grouping_column.',
  invalid_meta_cols: 'Remove the columns EES does not recognise from the metadata file.',
  meta_to_data_crosscheck:
    'Every col_name and filter_grouping_column in the metadata must be a column of the data file. Remove the extra metadata rows or add the columns.',
  time_identifier:
    'Use one of the EES time_identifier values, for example "Academic year" or "Financial year".',
  geographic_level:
    'Use one of the EES geographic_level values, for example "National", "Regional", "Local authority" or "School".',
  col_name_completed: 'Fill in col_name on every row of the metadata file.',
  duplicate_variable_names:
    'Each column name must appear once in the data file. Rename or remove the repeated column.',
  time_identifier_mix:
    'Do not mix time identifiers of different kinds (for example academic and financial years) in one file.',
  geography_level_present:
    'Add the location columns the geographic levels need (for example school_urn, school_laestab and school_name for School rows).',
  data_variable_spaces: 'Column names must not contain spaces; use underscores.',
  ob_unit_meta:
    'Remove location and time columns (such as country_code or school_name) from the metadata file: they are not filters or indicators.',
  filter_level:
    'A filter needs at least two different values. Remove single-value filters from the metadata.',
  utf8: `The files must be saved as UTF-8. ${SAVE_AS_CSV}`,
  col_type: 'col_type must be exactly "Filter" or "Indicator" on every metadata row.',
  time_validation: 'time_period must contain digits only, for example 201718 or 2018.',
  duplicate_rows:
    'Each combination of time, location and filters must appear once. Delete the repeated rows.',
  data_to_meta_crosscheck: 'Add this column to the metadata file, or delete it from the data file.',
  total: 'Use "Total" (capital T) for the all-values item of each filter, not "All".',
  observational_total: 'Leave location columns empty instead of writing "Total" or "All" in them.',
  null: 'Replace NULL and NA with an EES symbol: c (suppressed), x (not available), z (not applicable) or low.',
  no_data_symbols:
    'Replace legacy symbols such as N/A, ".", ".." and "-" with an EES symbol: x (not available) or z (not applicable).',
  blanks_filters: 'Every filter cell needs a value; use "Total" for rows covering all values.',
  blanks_indicators:
    'Indicator cells must not be blank; use x (not available) or z (not applicable) when there is no number.',
  time_period:
    'time_period must be 6 digits for academic and financial years (201718) and 4 digits for calendar years (2018).',
  time_period_six: 'A 6-digit time_period must name consecutive years, for example 201718.',
  region_for_la: 'Fill in both region_code and region_name on every Local authority row.',
  region_for_lad: 'Fill in both region_code and region_name on every Local authority district row.',
  geography_level_completed:
    'Fill in the location code and name on every row of that geographic level.',
  region_col_present: 'Include both region_code and region_name, or neither.',
  la_col_present: 'Include all three LA columns (old_la_code, new_la_code and la_name), or none.',
  overcompleted_cols:
    'Leave a location column empty on rows of levels above it (for example no la_name on National rows).',
  not_table_tool:
    'This file only has rows EES does not show in its table tool (Institution or Planning area). Publish it as an ancillary file instead.',
  ignored_rows:
    'Nothing to do if expected: School, Provider, Institution and Planning area rows are not shown in the EES table tool.',
  sch_prov_mixed: 'Do not mix School and Provider rows in one file; split them into two files.',
  old_la_code: 'old_la_code must be the 3-digit DfE LA code (for example 850), blank, or x.',
  new_la_code: 'new_la_code must be the 9-character ONS code (for example E10000014), blank, or x.',
  region_code: 'region_code must be the 9-character ONS code (for example E12000008).',
  country_code: 'country_code must be an ONS country code such as E92000001 (England).',
  country_combinations:
    'Use the standard country code and name pair, for example E92000001 and England.',
  region_combinations:
    'Use the standard region code and name pair, for example E12000008 and South East.',
  la_combinations:
    'Each LA code must go with one LA name and one new_la_code, matching the DfE LA list.',
  lad_combinations:
    'Each local authority district code must be a 9-character ONS code with one name.',
  lep_combinations:
    'Each local enterprise partnership code must be a 9-character ONS code with one name.',
  lsip_combinations: 'Each LSIP area code must be a 9-character ONS code with one name.',
  eda_combinations: 'Each English devolved area code must be a 9-character ONS code with one name.',
  pcon_combinations:
    'Each parliamentary constituency code must be a 9-character ONS code with one name.',
  ward_combinations: 'Each ward code must be a 9-character ONS code with one name.',
  other_geography_duplicates:
    'Each location name must have one code. Correct the codes that differ.',
  other_geography_code_duplicates:
    'Each location code must have one name. Correct the names that differ.',
  na_geography: 'When a location code is x (not available), give its name as "Not available".',
  col_name_duplicate:
    'Each col_name must appear once in the metadata file. Remove or rename the repeated row.',
  col_name_spaces: 'col_name values must not contain spaces; use underscores.',
  label: 'Give every metadata row a label (the name EES shows to users).',
  duplicate_label: 'Each label must be different. Reword the repeated label.',
  geographic_catch:
    'This filter looks like a location column. Use the standard location columns instead of a filter.',
  filter_hint: 'filter_hint is only for filters: clear it on indicator rows.',
  filter_group: 'filter_grouping_column is only for filters: clear it on indicator rows.',
  filter_group_match: 'Every filter_grouping_column must be a column in the data file.',
  filter_group_level:
    'A filter group must have fewer values than the filter it groups; check they are not the wrong way round.',
  filter_group_not_filter: 'A filter group column must not also be listed as a filter in col_name.',
  filter_group_duplicate: 'Each filter group may be used by one filter only.',
  whitespace_filters: 'Remove spaces at the start or end of filter values.',
  indicator_grouping: 'indicator_grouping is only for indicators: clear it on filter rows.',
  filter_group_stripped:
    'Filter group values must differ by more than punctuation or spaces; make them consistent.',
  indicator_group_stripped:
    'Indicator groups must differ by more than punctuation or spaces; make them consistent.',
  indicator_unit: 'indicator_unit is only for indicators: clear it on filter rows.',
  indicator_unit_validation: 'indicator_unit must be blank or one of %, pp, £, £m, numberstring.',
  indicator_dp: 'indicator_dp is only for indicators: clear it on filter rows.',
  indicator_dp_validation:
    'indicator_dp must be a whole number of decimal places (0, 1, 2, ...) or blank.',
  indicator_dp_completed: 'Fill in indicator_dp for every indicator, as some already have it.',
  indicators_smushed:
    'Indicator names contain pupil groups (for example _male, _white). Put the groups in a filter column and keep one indicator.',
  api_char_limit:
    'Shorten the name, label or value to the EES API limit (codes 30, names 50, labels 80, filter items 120 characters).',
  obsolete_symbols:
    'Replace ~ and : with the GSS symbols: low (rounds to zero) and x (not available).',
  standard_filter_headers:
    'Name ethnicity filters with the standard EES names: ethnicity_major, ethnicity_minor or ethnicity_detailed.',
  ethnicity_values:
    'Check the ethnicity_major / ethnicity_minor values against the GSS harmonised standard (for example "White" with "White British"); the file is imported as it is.',
  ethnicity_characteristic_values:
    'Check the ethnicity characteristic values against the GSS harmonised standard; the file is imported as it is.',
  ethnicity_characteristic_group:
    'Name ethnicity characteristic groups after the standard columns: Ethnicity Major, Ethnicity Minor, Ethnicity Detailed or Minority Ethnic (combined with other groups with "and").',
  data_dictionary_col_name:
    "Nothing to do for SchoolBench; for an EES API data set, rename the columns to the standard names of DfE's data dictionary.",
  data_dictionary_filter_item:
    "Nothing to do for SchoolBench; for an EES API data set, use the standard filter items of DfE's data dictionary.",
  ees_period_not_supported:
    'Nothing to do unless you need these rows: SchoolBench stores academic and financial years only, so terms, weeks and calendar years were not imported.',
};

/** EES rules that only advise; everything else in EES_RULES rejects the file. */
const EES_WARNINGS: ReadonlySet<string> = new Set([
  'api_char_limit',
  // Where DfE's screener (eesyscreener) only warns, so does this one: a file DfE passes imports.
  'data_to_meta_crosscheck', // cross_data_to_meta
  'region_for_la', // geog_region_for_la
  'region_for_lad', // geog_region_for_lad
  'indicator_dp_completed', // meta_ind_dp_set
  'total', // filter_defaults
  'no_data_symbols', // general_null (legacy symbols are read as x)
  'data_empty_cols', // no eesyscreener check: an empty extra column is harmless
  'ethnicity_values', // harmonised_eth_vals
  'ethnicity_characteristic_values', // harmonised_eth_char_vals
  'data_dictionary_col_name', // data_dict_col_name
  'data_dictionary_filter_item', // data_dict_fil_item
  'ees_period_not_supported',
  'filter_group_not_filter',
  'ignored_rows',
]);

export function ruleGuidance(rule: string): Guidance {
  const known = RULES[rule];
  if (known) return known;
  const ees = EES_RULES[rule];
  if (ees) return { severity: EES_WARNINGS.has(rule) ? 'warning' : 'error', fix: ees };
  return { severity: 'error', fix: 'Correct the value shown and upload the file again.' };
}

export function isEesScreenerRule(rule: string): boolean {
  return rule in EES_RULES;
}

/** Every rule code the importer can report, for documentation and the GraphQL enum. */
export function knownRules(): string[] {
  return [...Object.keys(RULES), ...Object.keys(EES_RULES)].sort();
}

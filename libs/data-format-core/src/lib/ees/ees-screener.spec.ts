import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { collectImport } from '../import/import-file';
import type { Problem } from '../problems/problem';
import { sharedDataFolder, sharedEesReferenceLists } from '../testing/shared-data-folder';
import { pairEesFiles, screenUnpairedMeta, type EesFilePair } from './ees-file-pairs';
import { eesRuleStage, type EesStage } from './ees-screener';

const screenerFolder = join(sharedDataFolder(), 'ees', 'screener');

/** Screens one data/meta pair of a corpus folder (or a lone file) and returns every problem. */
async function screen(folder: string, pair: EesFilePair): Promise<Problem[]> {
  const dir = join(screenerFolder, folder);
  if (!pair.data) {
    return screenUnpairedMeta(
      { name: pair.meta ?? '', bytes: readFileSync(join(dir, pair.meta ?? '')) },
      sharedEesReferenceLists(),
    );
  }
  const result = await collectImport({
    eesReferenceLists: sharedEesReferenceLists(),
    file: { name: pair.data, bytes: readFileSync(join(dir, pair.data)) },
    ...(pair.meta ? { meta: { name: pair.meta, bytes: readFileSync(join(dir, pair.meta)) } } : {}),
  });
  return result.problems;
}

function pairsOf(folder: string): EesFilePair[] {
  return pairEesFiles(readdirSync(join(screenerFolder, folder)).filter((f) => f !== 'LICENSE.md'));
}

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');

/** DfE's "Check API" stage: warnings that make a file unsuitable for an EES API data set. */
const API_STAGE_RULES = [
  'api_char_limit',
  'data_dictionary_col_name',
  'data_dictionary_filter_item',
];

/** pass / pass-warn-api fixtures whose name refers to a warning DfE gives them. */
const EXPECTED_WARNING: Readonly<Record<string, string>> = {
  check_data_dictionary_col_name: 'data_dictionary_col_name',
  check_data_dictionary_filter_item: 'data_dictionary_filter_item',
  ethnicity_characteristics_filter_wrong_values: 'ethnicity_characteristic_values',
  ethnicity_value_advisory: 'ethnicity_values',
  location_code_length: 'api_char_limit',
  location_name_length: 'api_char_limit',
  variable_label_length: 'api_char_limit',
  variable_name_length: 'api_char_limit',
};

describe.each(['pass', 'pass-warn-api'])('EES screener: every pair in %s is accepted', (folder) => {
  it('covers the whole folder', () => {
    expect(pairsOf(folder).length).toBe(folder === 'pass' ? 22 : 8);
  });

  it.each(pairsOf(folder).map((p) => [p.data ?? p.meta ?? '', p] as const))(
    '%s',
    async (name, pair) => {
      expect(pair.meta).toBeDefined();
      const problems = await screen(folder, pair);
      expect(errors(problems).map((p) => `${p.rule} line ${p.line}: ${p.message}`)).toEqual([]);
      const rules = problems.map((p) => p.rule);
      const named = EXPECTED_WARNING[name.replace(/\.csv$/, '')];
      if (named) expect(rules).toContain(named);
      // DfE: api_suitable is FALSE for every pass-warn-api file, and only Check API warnings decide it.
      if (folder === 'pass-warn-api')
        expect(rules.filter((r) => API_STAGE_RULES.includes(r))).not.toEqual([]);
    },
  );
});

it('EES screener: ethnicity_meets_standards gets no ethnicity or data-dictionary warning', async () => {
  const pair = pairsOf('pass').find((p) => p.data === 'ethnicity_meets_standards.csv');
  const problems = await screen('pass', pair as EesFilePair);
  expect(problems.map((p) => p.rule).filter((r) => /ethnicity|dictionary/.test(r))).toEqual([]);
});

/**
 * Most fixtures are named after the rule they break (docs/data-format.md has the whole table).
 * The rest, and why:
 * - the `fails_*` files name a screener stage, not a rule;
 * - some fixtures keep names of DfE's earlier screener (ob_unit_total and not_sch_but_one_filter
 *   are observational_total, sch_many_filter is ob_unit_meta, ...);
 * - where DfE's screener only warns about the rule a fixture is named after (`warning` below), the
 *   rule is reported as a warning and the file is rejected for its other faults, as DfE rejects it;
 * - three fixtures arrive without their partner file in this corpus (data_empty_rows has no data
 *   file, meta_empty_rows and rows_to_cols have no metadata file): `file_pair_missing`.
 */
type Expected =
  { rule: string; severity: 'error' | 'warning' } | { stage: EesStage } | { anyError: true };
const error = (rule: string): Expected => ({ rule, severity: 'error' });
const warning = (rule: string): Expected => ({ rule, severity: 'warning' });
const EXPECTED_RULE: Readonly<Record<string, Expected>> = {
  fails_allchecks: { anyError: true },
  fails_everything_ancillary: error('not_table_tool'),
  'fails_file validation': { stage: 'file_validation' },
  fails_prescreening1: { stage: 'pre_check_1' },
  'filename spaces': error('filename_spaces'),
  indicator_dp_nonInteger: error('indicator_dp_validation'),
  invalid_type2: error('invalid_type'),
  invalid_type3: error('invalid_type'),
  label_blank_notNA: error('label'),
  missing_region_name: error('region_col_present'),
  non_standard_headers: error('standard_filter_headers'),
  not_sch_but_one_filter: error('observational_total'),
  ob_unit_total: error('observational_total'),
  passes_everything_ancillary: error('not_table_tool'),
  provider_col_incorrect: error('geography_level_present'),
  regional_blanks: error('geography_level_completed'),
  sch_level_missing_col: error('geography_level_present'),
  sch_many_filter: error('ob_unit_meta'),
  sch_prov: error('sch_prov_mixed'),
  "special_characters-+#'@": error('filename_special_characters'),
  data_empty_rows: error('file_pair_missing'),
  meta_empty_rows: error('file_pair_missing'),
  rows_to_cols: error('file_pair_missing'),
  // DfE only warns about these; each fixture fails DfE's screener for its other faults.
  data_empty_cols: warning('data_empty_cols'),
  data_to_meta_crosscheck: warning('data_to_meta_crosscheck'),
  ignored_rows: warning('ignored_rows'),
  indicator_dp_completed: warning('indicator_dp_completed'),
  no_data_symbols: warning('no_data_symbols'),
  region_for_la: warning('region_for_la'),
  region_for_lad: warning('region_for_lad'),
  total: warning('total'),
};

describe('EES screener: every file in fail is rejected naming its rule', () => {
  const pairs = pairsOf('fail');
  const files = readdirSync(join(screenerFolder, 'fail')).sort();
  const cache = new Map<EesFilePair, Promise<Problem[]>>();
  const problemsFor = (pair: EesFilePair) => {
    let p = cache.get(pair);
    if (!p) cache.set(pair, (p = screen('fail', pair)));
    return p;
  };

  it('covers the whole folder', () => {
    expect(files).toHaveLength(138);
  });

  it.each(files)('%s', async (file) => {
    const stem = file.replace(/(\.meta)?\.[^.]+$/, '');
    const expected = EXPECTED_RULE[stem] ?? error(stem);
    const mine = pairs.filter((p) => p.data === file || p.meta === file);
    expect(mine.length).toBeGreaterThan(0);
    for (const pair of mine) {
      const problems = await problemsFor(pair);
      expect(errors(problems).length).toBeGreaterThan(0);
      if ('rule' in expected) {
        expect(problems.filter((p) => p.rule === expected.rule).map((p) => p.severity)).toContain(
          expected.severity,
        );
      } else if ('stage' in expected)
        expect(errors(problems).map((p) => eesRuleStage(p.rule))).toContain(expected.stage);
      // Every problem carries a plain-English fix.
      for (const p of problems) expect(p.fix.length).toBeGreaterThan(20);
    }
  });

  it('rejects ignored_rows for its district and LEP names, with ignored_rows as a note', async () => {
    const problems = await problemsFor(
      pairs.find((p) => p.data === 'ignored_rows.csv') as EesFilePair,
    );
    expect(problems.find((p) => p.rule === 'ignored_rows')?.severity).toBe('warning');
    expect(new Set(errors(problems).map((p) => p.rule))).toEqual(
      new Set(['lad_combinations', 'lep_combinations']),
    );
  });
});

describe('EES screener: legacy symbols', () => {
  it.each([':', '~'])('rejects "%s" in an indicator, as DfE’s screener does', async (symbol) => {
    const dir = join(screenerFolder, 'pass');
    const data = readFileSync(join(dir, 'passes_everything.csv'), 'utf8').replace(
      ',Primary,State-funded primary,16739,',
      `,Primary,State-funded primary,${symbol},`,
    );
    const result = await collectImport({
      eesReferenceLists: sharedEesReferenceLists(),
      file: { name: 'passes_everything.csv', bytes: data },
      meta: {
        name: 'passes_everything.meta.csv',
        bytes: readFileSync(join(dir, 'passes_everything.meta.csv')),
      },
    });
    expect(errors(result.problems).map((p) => [p.rule, p.value])).toEqual([
      ['obsolete_symbols', symbol],
    ]);
    expect(result.report.accepted).toBe(false);
  });
});

describe("EES screener: DfE's reference lists", () => {
  const dir = join(screenerFolder, 'pass');
  const original = readFileSync(join(dir, 'passes_everything.csv'), 'utf8');
  const importWith = async (data: string, withLists = true) =>
    collectImport({
      ...(withLists ? { eesReferenceLists: sharedEesReferenceLists() } : {}),
      file: { name: 'passes_everything.csv', bytes: data },
      meta: {
        name: 'passes_everything.meta.csv',
        bytes: readFileSync(join(dir, 'passes_everything.meta.csv')),
      },
    });
  const errorsOf = async (data: string) =>
    errors((await importWith(data)).problems).map((p) => [p.rule, p.value]);

  it.each([
    // z is accepted only with the names DfE lists for it.
    [
      'Regional,E92000001,England,z,Unknown,',
      'Regional,E92000001,England,z,Somewhere,',
      [['region_combinations', 'z / Somewhere']],
    ],
    // LA rows: the 3-digit code, the ONS code and the name must be one row of DfE's list.
    [
      ',208,E09000022,Lambeth,',
      ',208,E09000022,Lambeth Council,',
      [['la_combinations', '208 / E09000022 / Lambeth Council']],
    ],
    [',z,z,Unknown,', ',z,z,Elsewhere,', [['la_combinations', 'z / z / Elsewhere']]],
    // Constituencies: a real code with another constituency's name.
    [',E14000690,Eltham,', ',E14000690,Woolwich,', [['pcon_combinations', 'E14000690 / Woolwich']]],
  ] as const)('"%s" → "%s" is rejected', async (from, to, expected) => {
    expect(original).toContain(from);
    expect(await errorsOf(original.replace(from, to))).toEqual(expected);
  });

  it('without the lists only the code format is checked (the product always passes them)', async () => {
    const data = original.replace(',E14000690,Eltham,', ',E14000690,Woolwich,');
    expect(errors((await importWith(data, false)).problems)).toEqual([]);
  });

  it('loads each list once into Sets', () => {
    const lists = sharedEesReferenceLists();
    expect(sharedEesReferenceLists()).toBe(lists);
    expect(lists.geographyCombinations.get('ward_combinations')?.size).toBeGreaterThan(14_000);
    expect(lists.apiLimits).toEqual({
      locationCode: 30,
      columnName: 50,
      columnLabel: 100,
      columnItem: 120,
    });
    expect(lists.timeIdentifiers.has('Academic year')).toBe(true);
    expect(lists.timeIdentifiers.has('Academic year Q1')).toBe(false);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { collectImport } from '../import/import-file';
import type { Problem } from '../problems/problem';
import { sharedDataFolder } from '../testing/shared-data-folder';
import { pairEesFiles, screenUnpairedMeta, type EesFilePair } from './ees-file-pairs';
import { eesRuleStage, type EesStage } from './ees-screener';

const screenerFolder = join(sharedDataFolder(), 'ees', 'screener');

/** Screens one data/meta pair of a corpus folder (or a lone file) and returns every problem. */
async function screen(folder: string, pair: EesFilePair): Promise<Problem[]> {
  const dir = join(screenerFolder, folder);
  if (!pair.data) {
    return screenUnpairedMeta({
      name: pair.meta ?? '',
      bytes: readFileSync(join(dir, pair.meta ?? '')),
    });
  }
  const result = await collectImport({
    file: { name: pair.data, bytes: readFileSync(join(dir, pair.data)) },
    ...(pair.meta ? { meta: { name: pair.meta, bytes: readFileSync(join(dir, pair.meta)) } } : {}),
  });
  return result.problems;
}

function pairsOf(folder: string): EesFilePair[] {
  return pairEesFiles(readdirSync(join(screenerFolder, folder)).filter((f) => f !== 'LICENSE.md'));
}

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');

describe.each(['pass', 'pass-warn-api'])('EES screener: every pair in %s is accepted', (folder) => {
  it.each(pairsOf(folder).map((p) => [p.data ?? p.meta ?? '', p] as const))(
    '%s',
    async (_name, pair) => {
      expect(pair.meta).toBeDefined();
      const problems = await screen(folder, pair);
      expect(errors(problems).map((p) => `${p.rule} line ${p.line}: ${p.message}`)).toEqual([]);
      if (/length/.test(pair.data ?? '')) {
        // pass-warn-api: accepted, with the EES API character-limit warning.
        expect(problems.map((p) => p.rule)).toContain('api_char_limit');
      }
    },
  );
});

/**
 * Most fixtures are named after the rule they break. The rest, and why:
 * - the `fails_*` files name a screener stage, not a rule;
 * - DfE renamed some checks since (ob_unit_total and not_sch_but_one_filter are observational_total,
 *   sch_many_filter is ob_unit_meta, the *_missing_col / provider_col_incorrect fixtures are
 *   geography_level_present, indicator_dp_nonInteger is indicator_dp_validation, ...);
 * - three fixtures arrive without their partner file in this corpus (data_empty_rows has no data
 *   file, meta_empty_rows and rows_to_cols have no metadata file), so the rule they were built for
 *   cannot run: they are rejected by `file_pair_missing`.
 */
const EXPECTED_RULE: Readonly<Record<string, string | { stage: EesStage } | { anyError: true }>> = {
  fails_allchecks: { anyError: true },
  fails_everything_ancillary: 'not_table_tool',
  'fails_file validation': { stage: 'file_validation' },
  fails_prescreening1: { stage: 'pre_check_1' },
  'filename spaces': 'filename_spaces',
  indicator_dp_nonInteger: 'indicator_dp_validation',
  invalid_type2: 'invalid_type',
  invalid_type3: 'invalid_type',
  label_blank_notNA: 'label',
  missing_region_name: 'region_col_present',
  non_standard_headers: 'standard_filter_headers',
  not_sch_but_one_filter: 'observational_total',
  ob_unit_total: 'observational_total',
  passes_everything_ancillary: 'not_table_tool',
  provider_col_incorrect: 'geography_level_present',
  regional_blanks: 'geography_level_completed',
  sch_level_missing_col: 'geography_level_present',
  sch_many_filter: 'ob_unit_meta',
  sch_prov: 'sch_prov_mixed',
  "special_characters-+#'@": 'filename_special_characters',
  data_empty_rows: 'file_pair_missing',
  meta_empty_rows: 'file_pair_missing',
  rows_to_cols: 'file_pair_missing',
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
    const expected = EXPECTED_RULE[stem] ?? stem;
    const mine = pairs.filter((p) => p.data === file || p.meta === file);
    expect(mine.length).toBeGreaterThan(0);
    for (const pair of mine) {
      const problems = await problemsFor(pair);
      expect(errors(problems).length).toBeGreaterThan(0);
      const rules = problems.map((p) => p.rule);
      if (typeof expected === 'string') expect(rules).toContain(expected);
      else if ('stage' in expected)
        expect(errors(problems).map((p) => eesRuleStage(p.rule))).toContain(expected.stage);
      // Every problem carries a plain-English fix.
      for (const p of problems) expect(p.fix.length).toBeGreaterThan(20);
    }
  });

  it('reports the ignored_rows fixture as a note and rejects it for its district codes', async () => {
    const problems = await problemsFor(
      pairs.find((p) => p.data === 'ignored_rows.csv') as EesFilePair,
    );
    // ignored_rows is advice in DfE's screener; the file fails on "Stockton-on-Tees" having 9 district codes.
    expect(problems.find((p) => p.rule === 'ignored_rows')?.severity).toBe('warning');
    expect(errors(problems).map((p) => p.rule)).toEqual(['lad_combinations']);
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

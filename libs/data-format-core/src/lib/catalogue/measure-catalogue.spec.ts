import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { sharedDataFolder } from '../testing/shared-data-folder';
import { MEASURE_CATALOGUE, MeasureCatalogue, type SourceFormat } from './measure-catalogue';
import { MEASURE_CATALOGUE_V2 } from './measure-catalogue-v2';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Header cells of every real DfE file, by the catalogue format that file uses. */
function headersByFormat(): Map<SourceFormat, Set<string>> {
  const formatOf: [RegExp, SourceFormat][] = [
    [/ks2final/, 'dfe-ks2'],
    [/ks4final|ks4provisional/, 'dfe-ks4'],
    [/_census\.csv$/, 'dfe-census'],
    [/_abs\.csv$/, 'dfe-absence'],
    [/_cfr\.csv$/, 'dfe-cfr'],
    [/ks2_extract/, 'national-extract-ks2'],
    [/ks4_extract/, 'national-extract-ks4'],
  ];
  const out = new Map<SourceFormat, Set<string>>();
  for (const path of filesUnder(join(sharedDataFolder(), 'dfe'))) {
    // DfE's own column definitions count too (no 2018/19 KS4 data file is held for an LA).
    const metaFormat = /ks2_meta/.test(path)
      ? 'dfe-ks2'
      : /ks4_final_meta/.test(path)
        ? 'dfe-ks4'
        : null;
    if (metaFormat) {
      const set = out.get(metaFormat) ?? new Set<string>();
      for (const line of readFileSync(path, 'latin1').split(/\r?\n/).slice(1))
        set.add((line.split(',')[1] ?? '').trim().toUpperCase());
      out.set(metaFormat, set);
      continue;
    }
    const format = formatOf.find(([pattern]) => pattern.test(path))?.[1];
    if (!format || path.includes('meta')) continue;
    const text = readFileSync(path, 'latin1');
    const header = text
      .slice(0, text.indexOf('\n'))
      .replace(/^\u00ef\u00bb\u00bf/, '')
      .trim()
      .split(',');
    const set = out.get(format) ?? new Set<string>();
    for (const h of header) set.add(h.trim().toUpperCase());
    out.set(format, set);
  }
  return out;
}

describe('measure catalogue', () => {
  it('loads and validates the versioned catalogue', () => {
    expect(MEASURE_CATALOGUE.version).toBe('2026.2');
    expect(MEASURE_CATALOGUE.measures.length).toBeGreaterThan(200);
  });

  it('has every measure SPEC §5 asks for', () => {
    const required = [
      'ks2_rwm_expected_pct',
      'ks2_rwm_higher_pct',
      'ks2_reading_progress',
      'ks2_writing_progress',
      'ks2_maths_progress',
      'ks2_reading_scaled_score',
      'ks2_maths_scaled_score',
      'ks4_attainment8',
      'ks4_progress8',
      'ks4_progress8_ci_lower',
      'ks4_progress8_ci_upper',
      'ks4_english_maths_grade5_pct',
      'ks4_ebacc_entry_pct',
      'ks4_ebacc_aps',
      'overall_absence_pct',
      'persistent_absence_pct',
      'pupils_on_roll',
      'fsm_ever_pct',
      'eal_pct',
      'sen_support_pct',
      'ehc_plan_pct',
      'prior_attainment_ks1_aps',
      'prior_attainment_ks2_aps',
      'non_mobile_pct',
      'finance_total_income_per_pupil',
      'finance_total_expenditure_per_pupil',
      'finance_teaching_staff_per_pupil',
      'pupil_teacher_ratio',
    ];
    for (const code of required) expect(MEASURE_CATALOGUE.measure(code)).toBeDefined();
  });

  it('maps the disadvantaged and not-disadvantaged columns DfE publishes', () => {
    const ks2 = MEASURE_CATALOGUE.columnsFor('dfe-ks2', '201819');
    expect(ks2.get('PTRWM_EXP_FSM6CLA1A')).toMatchObject({
      breakdown: 'disadvantaged',
      denominatorColumn: 'TFSM6CLA1A',
    });
    expect(ks2.get('PTRWM_EXP_NotFSM6CLA1A')).toMatchObject({ breakdown: 'not_disadvantaged' });
    const ks4 = MEASURE_CATALOGUE.columnsFor('dfe-ks4', '201718');
    expect(ks4.get('P8MEA_NFSM6CLA1A')?.measure.code).toBe('ks4_progress8');
    // EBacc APS was first published for 2017/18.
    expect(MEASURE_CATALOGUE.columnsFor('dfe-ks4', '201617').has('EBACCAPS')).toBe(false);
  });

  it('only names columns that exist in the real DfE files (or DfE meta files) of each format', () => {
    const headers = headersByFormat();
    const missing: string[] = [];
    for (const measure of MEASURE_CATALOGUE.measures) {
      for (const source of measure.sources) {
        if (source.format === 'ees') continue;
        const known = headers.get(source.format);
        for (const map of [source.columns, source.denominators ?? {}, source.numerators ?? {}]) {
          for (const column of Object.values(map)) {
            if (!known?.has(column.toUpperCase()))
              missing.push(`${measure.code}: ${source.format} ${column}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('rejects a catalogue where one column feeds two measures', () => {
    const broken = structuredClone(MEASURE_CATALOGUE_V2) as {
      measures: { code: string; sources: { format: string; columns: Record<string, string> }[] }[];
    };
    broken.measures.push({
      ...broken.measures[0],
      code: 'copy_of_first',
      sources: broken.measures[0]?.sources ?? [],
    });
    expect(() => MeasureCatalogue.fromJson(broken)).toThrow(/feeds both/);
    expect(() =>
      MeasureCatalogue.fromJson({ version: '1', measures: [{ code: 'Bad Code' }] }),
    ).toThrow(/Invalid measure catalogue/);
  });
});

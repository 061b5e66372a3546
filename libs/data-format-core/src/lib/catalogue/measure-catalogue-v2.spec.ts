import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { collectImport } from '../import/import-file';
import type { Observation } from '../model/observation';
import { sharedDataFolder } from '../testing/shared-data-folder';
import { MEASURE_CATALOGUE } from './measure-catalogue';

const dfe = (path: string) => join(sharedDataFolder(), 'dfe', path);

async function observationsOf(path: string, urns: readonly string[]): Promise<Observation[]> {
  const result = await collectImport({
    file: { name: basename(path), bytes: readFileSync(dfe(path)) },
  });
  return result.observations.filter((o) => urns.includes(o.urn));
}

function find(
  observations: readonly Observation[],
  urn: string,
  measure: string,
  breakdown = 'all',
): Observation | undefined {
  return observations.find(
    (o) => o.urn === urn && o.measure === measure && o.breakdown === breakdown,
  );
}

/**
 * Ten measures the 2026.1 catalogue did not store, with values read by hand from the raw files
 * (the comment beside each names the column and the cell as published).
 */
describe('measure catalogue 2026.2: hand-read values of new measures across years', () => {
  let ks2_1617: Observation[];
  let ks2_1819: Observation[];
  let ks4_1617: Observation[];
  let ks4_1718: Observation[];
  let cfr_2018: Observation[];
  let cfr_2019: Observation[];
  let extract_1718: Observation[];

  beforeAll(async () => {
    [ks2_1617, ks2_1819, ks4_1617, ks4_1718, cfr_2018, cfr_2019, extract_1718] = await Promise.all([
      observationsOf('la-850-hampshire/2016-2017_850_ks2final.csv', ['116382', '144882']),
      observationsOf('la-850-hampshire/2018-2019_850_ks2final.csv', ['116382']),
      observationsOf('la-850-hampshire/2016-2017_850_ks4final.csv', ['116432']),
      observationsOf('la-850-hampshire/2017-2018_850_ks4final.csv', ['116432']),
      observationsOf('la-815-north-yorkshire/815_2018_cfr.csv', ['121300']),
      observationsOf('la-815-north-yorkshire/815_2019_cfr.csv', ['121300']),
      observationsOf('national/2017-2018_england_ks2_extract.csv', ['143648']),
    ]);
  }, 120_000);

  it('KS2 grammar, punctuation and spelling at the expected standard (PTGPS_EXP 90% → 93%)', () => {
    expect(find(ks2_1617, '116382', 'ks2_gps_expected_pct')).toMatchObject({
      value: 90,
      denominator: 31, // TELIG
      period: { timePeriod: '201617' },
    });
    expect(find(ks2_1819, '116382', 'ks2_gps_expected_pct')).toMatchObject({
      value: 93,
      denominator: 29,
      period: { timePeriod: '201819' },
    });
  });

  it('KS2 reading at the higher standard and writing at greater depth (PTREAD_HIGH, PTWRITTA_HIGH)', () => {
    expect(find(ks2_1617, '116382', 'ks2_reading_higher_pct')?.value).toBe(35);
    expect(find(ks2_1819, '116382', 'ks2_reading_higher_pct')?.value).toBe(45);
    expect(find(ks2_1617, '116382', 'ks2_writing_greater_depth_pct')?.value).toBe(45);
    expect(find(ks2_1819, '116382', 'ks2_writing_greater_depth_pct')?.value).toBe(45);
  });

  it("DfE's disadvantaged gap (DIFFN_RWM_EXP) keeps SUPP as c, with the DfE code beside it", () => {
    expect(find(ks2_1819, '116382', 'ks2_rwm_expected_disadvantaged_gap')).toMatchObject({
      value: null,
      suppression: 'c',
      sourceCode: 'SUPP',
    });
  });

  it('KS2 cohort by SEN (TSENELK 3 → 2) and teacher-assessed reading, 2016/17 only (PTREADTA_EXP)', () => {
    expect(find(ks2_1617, '116382', 'cohort_pupils', 'sen_support')?.value).toBe(3);
    expect(find(ks2_1819, '116382', 'cohort_pupils', 'sen_support')?.value).toBe(2);
    expect(find(ks2_1617, '116382', 'ks2_reading_ta_expected_pct')?.value).toBe(90);
    expect(find(ks2_1819, '116382', 'ks2_reading_ta_expected_pct')).toBeUndefined();
  });

  it('NEW: a new school with no eligible pupils (TOTPUPS "NEW") is z with the code kept', () => {
    expect(find(ks2_1617, '144882', 'ks2_school_pupils')).toMatchObject({
      value: null,
      suppression: 'z',
      sourceCode: 'NEW',
    });
  });

  it('the progress band (READPROG_DESCR 2) is a measure, and earlier-year copies are not stored again', () => {
    expect(find(ks2_1819, '116382', 'ks2_reading_progress_band')?.value).toBe(2);
    // PTRWM_EXP_17 (77%) repeats 2016/17's PTRWM_EXP: stored from the 2016/17 file only.
    expect(find(ks2_1617, '116382', 'ks2_rwm_expected_pct')?.value).toBe(77);
    expect(ks2_1819.filter((o) => o.period.timePeriod !== '201819')).toEqual([]);
  });

  it('KS4 grade 4+ in English and maths, all and disadvantaged (PTL2BASICS_94, PTFSM6CLA1ABASICS_94)', () => {
    expect(find(ks4_1617, '116432', 'ks4_english_maths_grade4_pct')).toMatchObject({
      value: 65,
      denominator: 127, // TPUP
    });
    expect(find(ks4_1718, '116432', 'ks4_english_maths_grade4_pct')?.value).toBe(48);
    expect(find(ks4_1617, '116432', 'ks4_english_maths_grade4_pct', 'disadvantaged')?.value).toBe(
      41,
    );
    expect(find(ks4_1718, '116432', 'ks4_english_maths_grade4_pct', 'disadvantaged')?.value).toBe(
      24,
    );
  });

  it('KS4 Progress 8 English element with its confidence interval (P8MEAENG, _CILOW, _CIUPP)', () => {
    expect(find(ks4_1617, '116432', 'ks4_progress8_english')).toMatchObject({
      value: -0.51,
      denominator: 123, // P8PUP
    });
    expect(find(ks4_1617, '116432', 'ks4_progress8_english_ci_lower')?.value).toBe(-0.79);
    expect(find(ks4_1617, '116432', 'ks4_progress8_english_ci_upper')?.value).toBe(-0.24);
    expect(find(ks4_1718, '116432', 'ks4_progress8_english')?.value).toBe(-0.55);
    expect(find(ks4_1718, '116432', 'ks4_progress8_english_ci_lower')?.value).toBe(-0.76);
    expect(find(ks4_1718, '116432', 'ks4_progress8_english_ci_upper')?.value).toBe(-0.35);
    expect(MEASURE_CATALOGUE.measure('ks4_progress8_english')?.confidenceInterval).toEqual({
      lower: 'ks4_progress8_english_ci_lower',
      upper: 'ks4_progress8_english_ci_upper',
    });
  });

  it('KS4 EBacc science entry and science value added (PTEBAC2SCI_E_PTQ_EE, SCIVAMEA_PTQ_EE)', () => {
    expect(find(ks4_1617, '116432', 'ks4_ebacc_science_entry_pct')?.value).toBe(98);
    expect(find(ks4_1718, '116432', 'ks4_ebacc_science_entry_pct')?.value).toBe(99);
    expect(find(ks4_1617, '116432', 'ks4_science_value_added')?.value).toBe(-0.95);
    expect(find(ks4_1718, '116432', 'ks4_science_value_added')?.value).toBe(-0.67);
  });

  it('CFR trend category 1 is one measure whose column changes name each year (T1718CAT1 → T1819CAT1)', () => {
    expect(
      find(cfr_2018, '121300', 'finance_trend_teaching_and_support_staff_per_pupil'),
    ).toMatchObject({
      value: 5415,
      sourceColumn: 'T1718CAT1',
      period: { timePeriod: '201718', timeIdentifier: 'Financial year' },
    });
    expect(
      find(cfr_2019, '121300', 'finance_trend_teaching_and_support_staff_per_pupil'),
    ).toMatchObject({
      value: 5143,
      sourceColumn: 'T1819CAT1',
      period: { timePeriod: '201819' },
    });
  });

  it('LOWCOV: a progress band with low coverage is u, the DfE code kept', () => {
    expect(find(extract_1718, '143648', 'ks2_reading_progress_band')).toMatchObject({
      value: null,
      suppression: 'u',
      sourceCode: 'LOWCOV',
    });
  });
});

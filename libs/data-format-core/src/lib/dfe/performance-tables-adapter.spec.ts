import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

import { readColumnDefinitions } from '../import/import-file';
import type { Observation } from '../model/observation';
import {
  expectImportedCleanly,
  filesUnder,
  importDfe,
  type FileResult,
} from '../testing/dfe-corpus';
import { sharedDataFile, sharedDataFolder } from '../testing/shared-data-folder';

const results = new Map<string, FileResult>();
const dfeFolder = join(sharedDataFolder(), 'dfe');
const files = filesUnder(dfeFolder).filter((p) => !relative(dfeFolder, p).startsWith('national'));

beforeAll(async () => {
  for (const path of files) results.set(relative(dfeFolder, path), await importDfe(path));
}, 60_000);

function result(file: string): FileResult {
  const r = results.get(file);
  if (!r) throw new Error(`${file} was not imported`);
  return r;
}

function value(
  file: string,
  urn: string,
  measure: string,
  breakdown = 'all',
): Observation | undefined {
  return result(file).observations.find(
    (o) => o.urn === urn && o.measure === measure && o.breakdown === breakdown,
  );
}

describe('every file in the LA folders under dfe/', () => {
  it('has been found', () => {
    expect(results.size).toBe(26);
  });

  it.each([...files].map((p) => relative(dfeFolder, p)))('%s imports with no errors', (file) => {
    expectImportedCleanly(file, result(file));
  });

  it('derives each period from the file name, the CFR columns or the Academic Year column', () => {
    const period = (file: string) =>
      result(file).report.periods.map((p) => `${p.timePeriod} ${p.timeIdentifier}`);
    expect(period('la-850-hampshire/2016-2017_850_ks2final.csv')).toEqual(['201617 Academic year']);
    expect(period('la-815-north-yorkshire/815_2018_census.csv')).toEqual(['201718 Academic year']);
    // T1819CAT1 is the newest spending column: financial year 2018-19.
    expect(period('la-815-north-yorkshire/815_2019_cfr.csv')).toEqual(['201819 Financial year']);
  });

  it('keeps LA and national summary rows apart from school rows', () => {
    const ks2 = result('la-850-hampshire/2018-2019_850_ks2final.csv');
    // Three summary rows (RECTYPE 3, 4, 5) at the end of the file; every one set apart with one note.
    expect(ks2.report.rows - (ks2.kinds.school ?? 0)).toBe(3);
    expect(ks2.warnings.filter((w) => w.rule === 'summary_row_set_apart')).toHaveLength(1);
    const areas = new Set(
      ks2.summaries.map((s) => `${s.area.level} ${s.area.code} ${s.area.variant}`),
    );
    expect(areas).toEqual(new Set(['local_authority 850 ']));
    const cfr = result('la-815-north-yorkshire/815_2019_cfr.csv');
    expect(cfr.summaries.find((o) => o.area.variant.startsWith('LA /'))?.area).toEqual({
      level: 'local_authority',
      code: '815',
      name: 'North Yorkshire',
      variant: 'LA / Nursery / Low FSM',
    });
    // The LA figure for nursery schools that every nursery school row repeats (line 2, col
    // T1819CAT1LA = "5,724"), stored once on the LA for that group.
    const group = cfr.summaries.filter(
      (o) =>
        o.area.variant === 'group: Nursery' &&
        o.measure === 'finance_trend_teaching_and_support_staff_per_pupil',
    );
    expect(group).toEqual([
      expect.objectContaining({
        area: { level: 'local_authority', code: '815', variant: 'group: Nursery' },
        value: 5724,
        sourceColumn: 'T1819CAT1LA',
      }),
    ]);
  });
});

describe('values read by hand from the raw files', () => {
  it('KS2 2018/19: St John the Baptist, Andover (URN 116382)', () => {
    const file = 'la-850-hampshire/2018-2019_850_ks2final.csv';
    expect(result(file).schools.get('116382')).toEqual({
      urn: '116382',
      laCode: '850',
      laestab: '8503418',
      name: 'St John the Baptist Catholic Primary School, Andover',
      type: 'VA',
    });
    // line 286, col 49 PTRWM_EXP = "93%", col 27 TELIG = "29"
    expect(value(file, '116382', 'ks2_rwm_expected_pct')).toMatchObject({
      value: 93,
      suppression: null,
      denominator: 29,
    });
    // line 286, col 86 PTRWM_EXP_FSM6CLA1A = "SUPP": suppressed, stored as c, never 0
    expect(value(file, '116382', 'ks2_rwm_expected_pct', 'disadvantaged')).toMatchObject({
      value: null,
      suppression: 'c',
      sourceCode: 'SUPP',
      sourceColumn: 'PTRWM_EXP_FSM6CLA1A',
    });
    // line 286, col 51 READPROG = "2.8", col 52 READPROG_LOWER = "0.5", col 66 READ_AVERAGE = "109"
    expect(value(file, '116382', 'ks2_reading_progress')?.value).toBe(2.8);
    expect(value(file, '116382', 'ks2_reading_progress_ci_lower')?.value).toBe(0.5);
    expect(value(file, '116382', 'ks2_reading_scaled_score')?.value).toBe(109);
    // line 286, col 32 TKS1AVERAGE = "17.2"
    expect(value(file, '116382', 'prior_attainment_ks1_aps')?.value).toBe(17.2);
  });

  it('KS2 2018/19: Saxon Wood special school (URN 116634) is all SUPP', () => {
    const file = 'la-850-hampshire/2018-2019_850_ks2final.csv';
    // line 328: RECTYPE 2 (special school), col 49 PTRWM_EXP = "SUPP", col 51 READPROG = "SUPP"
    expect(value(file, '116634', 'ks2_rwm_expected_pct')).toMatchObject({
      value: null,
      suppression: 'c',
    });
    expect(value(file, '116634', 'ks2_reading_progress')).toMatchObject({
      value: null,
      suppression: 'c',
    });
  });

  it('KS2 2016/17: Sun Hill Junior (URN 144882) is a ragged new-school row', () => {
    const file = 'la-850-hampshire/2016-2017_850_ks2final.csv';
    // line 276 has 23 of 290 cells; col 23 TOTPUPS = "NEW". The school is recorded; its one
    // measure cell is TOTPUPS, kept as z with DfE's code beside it.
    expect(result(file).schools.get('144882')).toMatchObject({
      urn: '144882',
      name: 'Sun Hill Junior School',
      laCode: '850',
    });
    expect(result(file).observations.filter((o) => o.urn === '144882')).toEqual([
      expect.objectContaining({
        measure: 'ks2_school_pupils',
        value: null,
        suppression: 'z',
        sourceCode: 'NEW',
      }),
    ]);
  });

  it('KS2 2017/18: LOWCOV reads as u (low reliability)', () => {
    // la-850-hampshire/2017-2018_850_ks2final.csv line 77, col 51 READPROG = "LOWCOV"
    expect(
      value('la-850-hampshire/2017-2018_850_ks2final.csv', '116633', 'ks2_reading_progress'),
    ).toMatchObject({
      value: null,
      suppression: 'u',
    });
  });

  it('KS4 2017/18: Cranbourne Business and Enterprise College (URN 116432)', () => {
    const file = 'la-850-hampshire/2017-2018_850_ks4final.csv';
    // line 69: col 58 ATT8SCR = "40", col 29 TPUP = "222"
    expect(value(file, '116432', 'ks4_attainment8')).toMatchObject({ value: 40, denominator: 222 });
    // col 76 P8MEA = "-0.6", col 77 P8CILOW = "-0.77", col 78 P8CIUPP = "-0.43"
    expect(value(file, '116432', 'ks4_progress8')?.value).toBe(-0.6);
    expect(value(file, '116432', 'ks4_progress8_ci_lower')?.value).toBe(-0.77);
    expect(value(file, '116432', 'ks4_progress8_ci_upper')?.value).toBe(-0.43);
    // col 95 PTL2BASICS_95 = "21%", col 97 EBACCAPS = "3.38", col 108 PTEBACC_E_PTQ_EE = "22%"
    expect(value(file, '116432', 'ks4_english_maths_grade5_pct')?.value).toBe(21);
    expect(value(file, '116432', 'ks4_ebacc_aps')?.value).toBe(3.38);
    expect(value(file, '116432', 'ks4_ebacc_entry_pct')?.value).toBe(22);
    // col 168 P8MEA_FSM6CLA1A = "-0.92"
    expect(value(file, '116432', 'ks4_progress8', 'disadvantaged')?.value).toBe(-0.92);
  });

  it('KS4 2016/17: NE (no entries) reads as z', () => {
    // la-850-hampshire/2016-2017_850_ks4final.csv line 7, col 207 ATT8SCR_EAL = "NE"
    expect(
      value('la-850-hampshire/2016-2017_850_ks4final.csv', '116413', 'ks4_attainment8', 'eal'),
    ).toMatchObject({
      value: null,
      suppression: 'z',
      sourceCode: 'NE',
    });
  });

  it('census 2019: Leeming and Londonderry Community Primary (URN 121293)', () => {
    const file = 'la-815-north-yorkshire/815_2019_census.csv';
    // line 6: col 4 SCHOOLTYPE = "State-funded primary", col 5 NOR = "41"
    expect(result(file).schools.get('121293')).toEqual({
      urn: '121293',
      laCode: '815',
      laestab: '8152040',
      type: 'State-funded primary',
      phase: 'primary',
    });
    expect(value(file, '121293', 'pupils_on_roll')?.value).toBe(41);
    // col 22 PNUMFSMEVER = "14.6" with col 21 NUMFSMEVER = "6" over NOR 41
    expect(value(file, '121293', 'fsm_ever_pct')).toMatchObject({
      value: 14.6,
      numerator: 6,
      denominator: 41,
    });
    // col 13 PSENELK = "9.8", col 11 PSENELSE = "0"
    expect(value(file, '121293', 'sen_support_pct')?.value).toBe(9.8);
    expect(value(file, '121293', 'ehc_plan_pct')?.value).toBe(0);
  });

  it('census 2017: NP (not published) reads as x', () => {
    // la-815-north-yorkshire/815_2017_census.csv line 2, col 21 PNUMFSMEVER = "NP"
    expect(
      value('la-815-north-yorkshire/815_2017_census.csv', '112456', 'fsm_ever_pct'),
    ).toMatchObject({
      value: null,
      suppression: 'x',
    });
  });

  it('CFR 2019: quoted thousands and negative spending (URN 121267)', () => {
    const file = 'la-815-north-yorkshire/815_2019_cfr.csv';
    // line 2: col 23 TOTALEXPENDITURE = "1,553", col 22 OTHER = "-7,794", col 8 GRANTFUNDING = "9,109"
    expect(value(file, '121267', 'finance_total_expenditure_per_pupil')).toMatchObject({
      value: 1553,
      period: { timePeriod: '201819', timeIdentifier: 'Financial year' },
    });
    expect(value(file, '121267', 'finance_other_expenditure_per_pupil')?.value).toBe(-7794);
    expect(value(file, '121267', 'finance_grant_funding_per_pupil')?.value).toBe(9109);
    expect(result(file).schools.get('121267')).toMatchObject({ laCode: '815', phase: 'nursery' });
  });
});

describe('DfE column definitions', () => {
  it('reads the NEW code and record types from the KS2 meta file', async () => {
    const path = sharedDataFile('dfe', 'la-850-hampshire', '2018-2019_ks2_meta.csv');
    const { definitions, problems } = await readColumnDefinitions({
      name: basename(path),
      bytes: readFileSync(path),
    });
    expect(problems).toEqual([]);
    // line 26: TOTPUPS "... NEW' =New school with no eligible pupils"
    expect(definitions.get('TOTPUPS')?.specialValues).toEqual({
      NEW: 'New school with no eligible pupils',
    });
    expect(definitions.get('RECTYPE')?.label).toContain('3=Local Authority');
  });

  it('reads which fields are empty by design for LA rows from the KS4 meta file', async () => {
    const path = sharedDataFile('dfe', 'la-850-hampshire', '2018_2019_ks4_final_meta.csv');
    const { definitions } = await readColumnDefinitions({
      name: basename(path),
      bytes: readFileSync(path),
    });
    // line 283: ATT8SCR_BOYS, "Null field for local authority records" and both national flags = Yes
    expect(definitions.get('ATT8SCR_BOYS')?.nullFor).toEqual(['local_authority', 'national']);
    // line 34: KS2APS, only "Null field for National (all schools) records" = Yes
    expect(definitions.get('KS2APS')?.nullFor).toEqual(['national']);
  });
});

import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';

import { parseTargetCsv } from './target-csv';
import {
  amberMargin,
  cohortWeighted,
  DEFAULT_AMBER_MARGINS,
  groupPosition,
  ragStatus,
  targetValueProblem,
} from './target-rules';

const measure = (code: string) => MEASURE_CATALOGUE.measure(code)!;

describe('RAG against a target', () => {
  it('is green when met, amber within the margin, red beyond it', () => {
    const margin = amberMargin(measure('ks2_rwm_expected_pct'), DEFAULT_AMBER_MARGINS);
    expect(margin).toBe(2);
    expect(ragStatus(84, 84, 'higher_better', margin)).toBe('green');
    expect(ragStatus(82, 84, 'higher_better', margin)).toBe('amber');
    expect(ragStatus(81.9, 84, 'higher_better', margin)).toBe('red');
    // Lower is better (absence): above the target is short of it.
    expect(ragStatus(4.1, 4, 'lower_better', 2)).toBe('amber');
    expect(ragStatus(3.9, 4, 'lower_better', 2)).toBe('green');
  });

  it('uses 0.1 for progress scores and none for counts', () => {
    const score = amberMargin(measure('ks2_reading_progress'), DEFAULT_AMBER_MARGINS);
    expect(score).toBe(0.1);
    expect(ragStatus(-0.1, 0, 'higher_better', score)).toBe('amber');
    expect(ragStatus(-0.2, 0, 'higher_better', score)).toBe('red');
    expect(amberMargin(measure('pupils_on_roll'), DEFAULT_AMBER_MARGINS)).toBe(0);
  });

  it('places a value against its group’s quartiles', () => {
    expect(groupPosition(80, 60, 75)).toBe('upper_quartile');
    expect(groupPosition(75, 60, 75)).toBe('middle_half');
    expect(groupPosition(59, 60, 75)).toBe('lower_quartile');
  });
});

describe('targetValueProblem', () => {
  it('refuses impossible targets and neutral measures', () => {
    expect(targetValueProblem(measure('ks2_rwm_expected_pct'), 84)).toBeNull();
    expect(targetValueProblem(measure('ks2_rwm_expected_pct'), 120)).toMatch(/between 0 and 100/);
    expect(targetValueProblem(measure('ks2_reading_progress'), -2)).toBeNull();
    expect(targetValueProblem(measure('ks2_reading_progress'), 40)).toMatch(/-30 and 30/);
    expect(targetValueProblem(measure('pupils_on_roll'), 300)).toMatch(/no better direction/);
    expect(targetValueProblem(measure('ks4_attainment8'), -1)).toMatch(/cannot be negative/);
  });
});

describe('cohortWeighted', () => {
  it('weights school values by cohort, leaving out schools without either', () => {
    // (70·30 + 80·10) / 40 = 72.5
    expect(
      cohortWeighted([
        { value: 70, cohort: 30 },
        { value: 80, cohort: 10 },
        { value: 10, cohort: null },
        { value: null, cohort: 50 },
      ]),
    ).toEqual({ value: 72.5, cohort: 40, schools: 2 });
    expect(cohortWeighted([])).toEqual({ value: undefined, cohort: 0, schools: 0 });
  });
});

describe('parseTargetCsv', () => {
  it('reads targets with any header case and order, optional breakdown', () => {
    const { rows, problems } = parseTargetCsv(
      'measure,URN,Period,Target,breakdown\r\nks2_rwm_expected_pct,116001,2018/19,84,\r\nks2_rwm_expected_pct,116001,201819,60,disadvantaged\r\n',
      MEASURE_CATALOGUE,
    );
    expect(problems.errorCount).toBe(0);
    expect(rows).toEqual([
      {
        line: 2,
        urn: 116001,
        measure: 'ks2_rwm_expected_pct',
        period: 201819,
        breakdown: 'all',
        value: 84,
      },
      {
        line: 3,
        urn: 116001,
        measure: 'ks2_rwm_expected_pct',
        period: 201819,
        breakdown: 'disadvantaged',
        value: 60,
      },
    ]);
  });

  it('reports every bad row with line, column, value and rule', () => {
    const { problems } = parseTargetCsv(
      [
        'URN,measure,period,target',
        'abc,ks2_rwm_expected_pct,201819,84',
        '116001,no_such_measure,201819,84',
        '116001,ks2_rwm_expected_pct,2018-19,84',
        '116001,ks2_rwm_expected_pct,201819,140',
        '116002,ks2_rwm_expected_pct,201819,80',
        '116002,ks2_rwm_expected_pct,201819,81',
      ].join('\n'),
      MEASURE_CATALOGUE,
    );
    expect(problems.drain().map((p) => [p.line, p.column, p.value, p.rule])).toEqual([
      [2, 'URN', 'abc', 'invalid_urn'],
      [3, 'measure', 'no_such_measure', 'unknown_measure'],
      [4, 'period', '2018-19', 'invalid_period'],
      [5, 'target', '140', 'target_out_of_range'],
      [7, 'URN', '116002', 'duplicate_target'],
    ]);
  });

  it('names missing columns', () => {
    const { problems } = parseTargetCsv('URN,measure,target\n1,2,3\n', MEASURE_CATALOGUE);
    expect(problems.drain()[0]).toMatchObject({ rule: 'missing_target_column', line: 1 });
  });
});

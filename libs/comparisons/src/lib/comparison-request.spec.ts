import { ComparisonInputError, defaultComparisonMethods } from '@schoolbench/comparisons-core';
import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';

import {
  candidateFeatures,
  contextMeasures,
  normaliseRequest,
  outcomePeriods,
  resultKey,
  type ComparisonRequest,
} from './comparison-request';

const methods = defaultComparisonMethods();
const base: ComparisonRequest = {
  target: { urn: 116001 },
  phase: 'Primary',
  period: '201819',
  outcomeMeasures: ['ks2_rwm_expected_pct', 'ks2_reading_progress'],
};

function rejects(request: ComparisonRequest, message: RegExp): void {
  expect(() => normaliseRequest(request, methods)).toThrow(ComparisonInputError);
  expect(() => normaliseRequest(request, methods)).toThrow(message);
}

describe('comparison requests', () => {
  it("fills in the method's defaults and writes the parameters out in full", () => {
    const { method, parameters } = normaliseRequest(base, methods);
    expect(method.id).toBe('context-knn-v1');
    expect(parameters).toEqual({
      targetUrn: 116001,
      allSchools: false,
      phase: 'primary',
      period: '201819',
      k: 20,
      outcomeMeasures: ['ks2_rwm_expected_pct', 'ks2_reading_progress'],
      population: 'OWN_AND_REFERENCE',
      features: null,
      weights: null,
    });
  });

  it('accepts every catalogue measure with a polarity, those catalogue v2 added too', () => {
    const codes = MEASURE_CATALOGUE.measures
      .filter((m) => m.polarity !== 'neutral')
      .map((m) => m.code);
    // Grammar, punctuation and spelling, Progress 8 by element, EBacc pillars: v2 measures.
    for (const code of ['ks4_progress8_english', 'ks4_progress8_ebacc']) {
      expect(codes).toContain(code);
    }
    for (let i = 0; i < codes.length; i += 10) {
      const { parameters: p } = normaliseRequest(
        { ...base, outcomeMeasures: codes.slice(i, i + 10) },
        methods,
      );
      expect(p.outcomeMeasures).toEqual(codes.slice(i, i + 10));
    }
  });

  it('rejects what it cannot run, naming the field', () => {
    rejects({ ...base, target: {} }, /either one school/);
    rejects({ ...base, target: { urn: 1, allSchools: true } }, /either one school/);
    rejects({ ...base, phase: 'Isolation probe' }, /Unknown phase/);
    rejects({ ...base, period: '201820' }, /not an EES academic year/);
    rejects({ ...base, period: 'Isolation probe' }, /not an EES academic year/);
    rejects({ ...base, method: 'nearest-v9' }, /Unknown comparison method/);
    rejects({ ...base, k: 0 }, /k must be/);
    rejects({ ...base, method: 'fbit-pupil-v1', k: 30 }, /from 1 to 29/);
    rejects({ ...base, outcomeMeasures: [] }, /1 to 10 outcome measures/);
    rejects({ ...base, outcomeMeasures: ['ks2_magic'] }, /not a measure of the catalogue/);
    rejects({ ...base, features: ['pct_fsm_ever', 'shoe_size'] }, /No context feature "shoe_size"/);
    rejects({ ...base, weights: [{ feature: 'pct_x', weight: 1 }] }, /not used: pct_x/);
    rejects(
      { ...base, method: 'fbit-pupil-v1', weights: [{ feature: 'pupils', weight: 2 }] },
      /fixed variables/,
    );
  });

  it('adds prior attainment as an optional feature only where the method takes features', () => {
    const knn = normaliseRequest(base, methods);
    expect(candidateFeatures(knn.method, knn.parameters)).toEqual({
      required: ['pct_fsm_ever', 'pct_eal', 'pct_sen_support', 'pct_ehc_plan', 'ln_pupils'],
      optional: ['prior_attainment'],
    });
    expect(contextMeasures(knn.method, knn.parameters)).toEqual([
      'fsm_ever_pct',
      'eal_pct',
      'sen_support_pct',
      'ehc_plan_pct',
      'pupils_on_roll',
      'prior_attainment_ks1_aps',
    ]);
    const fbit = normaliseRequest({ ...base, method: 'fbit-pupil' }, methods);
    expect(fbit.method.id).toBe('fbit-pupil-v1');
    expect(candidateFeatures(fbit.method, fbit.parameters)).toEqual({
      required: ['pupils', 'pct_fsm', 'pct_sen'],
      optional: [],
    });
    const chosen = normaliseRequest({ ...base, features: ['pct_eal', 'ln_pupils'] }, methods);
    expect(candidateFeatures(chosen.method, chosen.parameters).optional).toEqual([]);
  });

  it('reads three years of outcomes ending at the period', () => {
    expect(outcomePeriods('201819')).toEqual(['201617', '201718', '201819']);
    expect(outcomePeriods('199900', 2)).toEqual(['199899', '199900']);
  });

  it('keys results by method, parameters and dataset versions, not by their order', () => {
    const a = normaliseRequest(base, methods);
    const b = normaliseRequest(
      { ...base, outcomeMeasures: ['ks2_reading_progress', 'ks2_rwm_expected_pct'] },
      methods,
    );
    const d1 = { tenantId: 't1', id: 'd1' };
    const d2 = { tenantId: 't2', id: 'd2' };
    const key = resultKey(a.method, a.parameters, [d1, d2]);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(resultKey(b.method, b.parameters, [d2, d1])).toBe(key);
    expect(resultKey(a.method, a.parameters, [d1])).not.toBe(key);
    const k10 = normaliseRequest({ ...base, k: 10 }, methods);
    expect(resultKey(k10.method, k10.parameters, [d1, d2])).not.toBe(key);
  });
});

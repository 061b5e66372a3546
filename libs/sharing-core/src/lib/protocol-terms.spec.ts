import {
  formatAcademicPeriod,
  normaliseProtocolTerms,
  parseAcademicPeriod,
  ProtocolTermsError,
  type ProtocolTermsInput,
} from './protocol-terms';

const catalogue = {
  measures: [
    { code: 'ks2_rwm_expected_pct', category: 'attainment', phases: ['primary'] },
    { code: 'ks4_attainment8', category: 'attainment', phases: ['secondary'] },
    { code: 'ks4_progress8', category: 'progress', phases: ['secondary'] },
    { code: 'fsm_pct', category: 'context', phases: ['primary', 'secondary'] },
    { code: 'overall_absence_pct', category: 'attendance', phases: ['primary', 'secondary'] },
  ],
};

const input: ProtocolTermsInput = {
  title: ' Secondary benchmarking 2016–2019 ',
  purpose: 'Benchmarking',
  partyTenantIds: ['ny', 'surrey', 'ny'],
  categories: ['attainment', 'context'],
  measures: ['overall_absence_pct'],
  periodFrom: '2016/17',
  periodTo: '201819',
  phases: ['Secondary'],
  disclosure: 'named',
  smallCohortThreshold: 6,
  validFrom: '2026-11-22',
  validTo: '2028-11-22',
};

describe('protocol terms', () => {
  it('resolves the scope to the measures of the phases in scope, owner first among parties', () => {
    const terms = normaliseProtocolTerms(input, 'hampshire', catalogue);
    expect(terms.title).toBe('Secondary benchmarking 2016–2019');
    expect(terms.parties).toEqual(['hampshire', 'ny', 'surrey']);
    expect(terms.measures).toEqual(['ks4_attainment8', 'fsm_pct', 'overall_absence_pct']);
    expect([terms.periodFrom, terms.periodTo]).toEqual([201617, 201819]);
    expect(terms.phases).toEqual(['secondary']);
    expect(terms.minGroupSize).toBe(3);
  });

  it('takes targets and judgements as record categories: in scope, but no measure', () => {
    const terms = normaliseProtocolTerms(
      { ...input, categories: ['attainment', 'targets', 'judgements'], measures: [] },
      'hampshire',
      catalogue,
    );
    expect(terms.records).toEqual(['targets', 'judgements']);
    expect(terms.categories).toEqual(['attainment', 'targets', 'judgements']);
    expect(terms.measures).toEqual(['ks4_attainment8']);
    const only = normaliseProtocolTerms(
      { ...input, categories: ['targets'], measures: [] },
      'hampshire',
      catalogue,
    );
    expect([only.records, only.measures]).toEqual([['targets'], []]);
    expect(normaliseProtocolTerms(input, 'hampshire', catalogue).records).toEqual([]);
  });

  it('lists every problem with its field', () => {
    let error: ProtocolTermsError | undefined;
    try {
      normaliseProtocolTerms(
        {
          ...input,
          title: '',
          partyTenantIds: [],
          categories: ['gossip'],
          measures: ['ks9_magic'],
          periodFrom: '2016/18',
          periodTo: '2015/16',
          minGroupSize: 2,
          smallCohortThreshold: -1,
          validFrom: '2026-02-30',
          validTo: '2025-01-01',
        },
        'hampshire',
        catalogue,
      );
    } catch (e) {
      error = e as ProtocolTermsError;
    }
    expect(error).toBeInstanceOf(ProtocolTermsError);
    expect(error!.problems.map((p) => p.field)).toEqual([
      'title',
      'partyTenantIds',
      'categories',
      'measures',
      'periodFrom',
      'minGroupSize',
      'smallCohortThreshold',
      'validFrom',
    ]);
  });

  it('refuses a period range backwards and dates the wrong way round', () => {
    expect(() =>
      normaliseProtocolTerms(
        { ...input, periodFrom: '2018/19', periodTo: '2016/17', validTo: '2026-01-01' },
        'hampshire',
        catalogue,
      ),
    ).toThrow(
      /periodTo: the last period comes before the first; validTo: the protocol ends before it starts/,
    );
  });

  it('reads academic years both ways and writes them back', () => {
    expect(parseAcademicPeriod('2018/19')).toBe(201819);
    expect(parseAcademicPeriod('201819')).toBe(201819);
    expect(parseAcademicPeriod('2018/20')).toBeNull();
    expect(parseAcademicPeriod('2018')).toBeNull();
    expect(formatAcademicPeriod(200910)).toBe('2009/10');
  });
});

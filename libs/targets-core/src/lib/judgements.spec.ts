import {
  categoryCode,
  inspectionJudgement,
  isConcerningJudgement,
  judgementDate,
  parseJudgementCsv,
} from './judgements';

describe('judgements', () => {
  it('reads judgements as published or graded', () => {
    expect(inspectionJudgement('Requires improvement')).toBe('requires_improvement');
    expect(inspectionJudgement('RI')).toBe('requires_improvement');
    expect(inspectionJudgement('4')).toBe('inadequate');
    expect(inspectionJudgement(' Good ')).toBe('good');
    expect(inspectionJudgement('Excellent')).toBeNull();
    expect(isConcerningJudgement('inadequate')).toBe(true);
    expect(isConcerningJudgement('good')).toBe(false);
    expect(categoryCode('School causing concern')).toBe('school_causing_concern');
    expect(categoryCode('')).toBeNull();
  });

  it('takes real past dates only, ISO or UK style', () => {
    expect(judgementDate('14/03/2019', '2026-12-03')).toBe('2019-03-14');
    expect(judgementDate('2019-03-14', '2026-12-03')).toBe('2019-03-14');
    expect(judgementDate('2019-02-30', '2026-12-03')).toBeNull();
    expect(judgementDate('2027-01-01', '2026-12-03')).toBeNull();
    expect(judgementDate('March 2019', '2026-12-03')).toBeNull();
  });

  it('reads a judgement CSV and reports every bad row', () => {
    const { rows, problems } = parseJudgementCsv(
      [
        'Date,URN,Judgement,Source',
        '14/03/2019,116001,Good,Ofsted report',
        '2019-05-01,116002,RI,',
        '2019-05-01,11600X,Good,',
        '2019-05-01,116003,Excellent,',
        '2030-01-01,116004,Good,',
      ].join('\n'),
      '2026-12-03',
    );
    expect(rows).toEqual([
      { line: 2, urn: 116001, judgement: 'good', date: '2019-03-14', source: 'Ofsted report' },
      {
        line: 3,
        urn: 116002,
        judgement: 'requires_improvement',
        date: '2019-05-01',
        source: 'csv import',
      },
    ]);
    expect(problems.drain().map((p) => [p.line, p.column, p.rule])).toEqual([
      [4, 'URN', 'invalid_urn'],
      [5, 'judgement', 'unknown_judgement'],
      [6, 'date', 'invalid_judgement_date'],
    ]);
  });
});

import { collectImport } from '../import/import-file';
import type { Observation, SchoolRecord, SummaryObservation } from '../model/observation';
import { csvCell, neutraliseCell, toEesCsv } from './ees-export';

const period = { timePeriod: '201819', timeIdentifier: 'Academic year' } as const;

function obs(
  urn: string,
  measure: string,
  breakdown: string,
  value: number | 'c' | 'x',
): Observation {
  const v =
    typeof value === 'number' ? { value, suppression: null } : { value: null, suppression: value };
  return { urn, measure, period, breakdown, sourceColumn: 'test', ...v };
}

const schools = new Map<string, SchoolRecord>([
  [
    '116382',
    { urn: '116382', name: 'St John the Baptist, Andover', laestab: '8503418', laCode: '850' },
  ],
  [
    '116383',
    {
      urn: '116383',
      name: '=HYPERLINK("http://evil.example","click")',
      laestab: '8503419',
      laCode: '850',
    },
  ],
]);

describe('EES export', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+44 1234', "'+44 1234"],
    ['-0.5 (as text)', "'-0.5 (as text)"],
    ['@cmd', "'@cmd"],
    ['\tTab', "'\tTab"],
    ['St Mary', 'St Mary'],
  ])('neutralises text cell %j', (text, expected) => {
    expect(neutraliseCell(text)).toBe(expected);
  });

  it('quotes cells as CSV needs', () => {
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
  });

  it('writes data and metadata that the EES screener accepts, and re-imports to the same values', async () => {
    const observations = [
      obs('116382', 'ks4_progress8', 'all', -0.5),
      obs('116382', 'ks4_progress8', 'disadvantaged', 'c'),
      obs('116382', 'ks4_attainment8', 'all', 44.2),
      obs('116382', 'ks4_attainment8', 'disadvantaged', 31.5),
      obs('116383', 'ks4_progress8', 'all', 0.25),
      obs('116383', 'ks4_attainment8', 'all', 50),
      obs('116383', 'ks4_progress8', 'disadvantaged', -1.02),
      obs('116383', 'ks4_attainment8', 'disadvantaged', 'x'),
    ];
    const summary: SummaryObservation = {
      area: { level: 'local_authority', code: '850', name: 'Hampshire', variant: '' },
      measure: 'ks4_progress8',
      period,
      breakdown: 'all',
      value: 0.02,
      suppression: null,
      sourceColumn: 'test',
    };
    const laSummaries = [
      summary,
      { ...summary, breakdown: 'disadvantaged', value: -0.6 },
      { ...summary, measure: 'ks4_attainment8', value: 47.1 },
      { ...summary, measure: 'ks4_attainment8', breakdown: 'disadvantaged', value: 33 },
    ];
    const { dataCsv, metaCsv } = toEesCsv([...observations, ...laSummaries], {
      schools,
      laName: (code) => (code === '850' ? 'Hampshire' : undefined),
    });
    // The injected school name is neutralised; the negative Progress 8 score is data and is not.
    expect(dataCsv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(dataCsv).toMatch(/,-0\.5\n/);
    expect(metaCsv).toContain('ks4_progress8,Indicator,Progress 8 score,Progress,,2,,');

    const back = await collectImport({
      file: { name: 'schoolbench_export.csv', bytes: dataCsv },
      meta: { name: 'schoolbench_export.meta.csv', bytes: metaCsv },
    });
    expect(back.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const key = (o: Observation) =>
      `${o.urn}|${o.measure}|${o.breakdown}|${o.value ?? o.suppression}`;
    expect(back.observations.map(key).sort()).toEqual(observations.map(key).sort());
    expect(
      back.summaryObservations
        .map((s) => `${s.area.code}|${s.measure}|${s.breakdown}|${s.value}`)
        .sort(),
    ).toEqual(
      laSummaries.map((s) => `${s.area.code}|${s.measure}|${s.breakdown}|${s.value}`).sort(),
    );
  });
});

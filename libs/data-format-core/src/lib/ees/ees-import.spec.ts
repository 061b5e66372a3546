import { createReadStream, statSync } from 'node:fs';

import { toEesCsv } from '../export/ees-export';
import { collectImport, importFileBatches } from '../import/import-file';
import { BREAKDOWNS } from '../model/observation';
import { sharedDataFile } from '../testing/shared-data-folder';
import { breakdownForFilterItem } from './ees-import';

const META = [
  'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  'sex,Filter,Sex,,,,Filter by sex,',
  'sess_overall_percent,Indicator,Overall absence rate,Absence,%,1,,',
  'enrolments_pa_10_exact_percent,Indicator,Persistent absence rate,Absence,%,1,,',
].join('\n');

const GEO =
  'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name';
const DATA = [
  `${GEO},school_urn,school_laestab,school_name,sex,sess_overall_percent,enrolments_pa_10_exact_percent`,
  '201819,Academic year,National,E92000001,England,,,,,,,,,Total,4.7,10.9',
  '201819,Academic year,National,E92000001,England,,,,,,,,,Boys,4.8,11.2',
  '201819,Academic year,Local authority,E92000001,England,E12000008,South East,850,E10000014,Hampshire,,,,Total,4.4,9.8',
  '201819,Academic year,Local authority,E92000001,England,E12000008,South East,850,E10000014,Hampshire,,,,Girls,4.3,9.5',
  '201819,Academic year,School,E92000001,England,E12000008,South East,850,E10000014,Hampshire,116382,8503418,St John,Total,3.9,7.1',
  '201819,Academic year,School,E92000001,England,E12000008,South East,850,E10000014,Hampshire,116382,8503418,St John,Boys,c,x',
  '201819,Academic year,School,E92000001,England,E12000008,South East,851,E06000044,Portsmouth,116500,8512001,Harbour School,Total,5.2,12',
].join('\n');

async function importEes(extra: Record<string, unknown> = {}) {
  return collectImport({
    file: { name: 'absence_2019.csv', bytes: DATA },
    meta: { name: 'absence_2019.meta.csv', bytes: META },
    ...extra,
  });
}

describe('EES open-data import', () => {
  it('passes the screener and maps school rows to observations by school_urn', async () => {
    const result = await importEes();
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.schools).toEqual([
      { urn: '116382', name: 'St John', laestab: '8503418', laCode: '850' },
      { urn: '116500', name: 'Harbour School', laestab: '8512001', laCode: '851' },
    ]);
    const stJohn = result.observations.filter((o) => o.urn === '116382');
    expect(stJohn).toEqual([
      expect.objectContaining({
        measure: 'overall_absence_pct',
        breakdown: 'all',
        value: 3.9,
        suppression: null,
      }),
      expect.objectContaining({ measure: 'persistent_absence_pct', breakdown: 'all', value: 7.1 }),
      expect.objectContaining({
        measure: 'overall_absence_pct',
        breakdown: 'boys',
        value: null,
        suppression: 'c',
      }),
      expect.objectContaining({
        measure: 'persistent_absence_pct',
        breakdown: 'boys',
        value: null,
        suppression: 'x',
      }),
    ]);
    expect(result.report.periods).toEqual([
      { timePeriod: '201819', timeIdentifier: 'Academic year' },
    ]);
  });

  it('keeps national and LA rows as summary observations', async () => {
    const result = await importEes();
    const areas = result.summaryObservations.map(
      (s) => `${s.area.level}:${s.area.code}:${s.breakdown}:${s.measure}=${s.value}`,
    );
    expect(areas).toEqual([
      'national:E92000001:all:overall_absence_pct=4.7',
      'national:E92000001:all:persistent_absence_pct=10.9',
      'national:E92000001:boys:overall_absence_pct=4.8',
      'national:E92000001:boys:persistent_absence_pct=11.2',
      'local_authority:850:all:overall_absence_pct=4.4',
      'local_authority:850:all:persistent_absence_pct=9.8',
      'local_authority:850:girls:overall_absence_pct=4.3',
      'local_authority:850:girls:persistent_absence_pct=9.5',
    ]);
  });

  it('applies the LA register and the tenant restriction to EES rows', async () => {
    const restricted = await importEes({ restrictToLaCodes: ['850'] });
    expect(restricted.schools.map((s) => s.urn)).toEqual(['116382']);
    expect(restricted.problems.filter((p) => p.rule === 'other_la_row_skipped')).toHaveLength(1);
    const unknown = await importEes({ isKnownLaCode: (code: string) => code !== '851' });
    expect(unknown.problems.filter((p) => p.severity === 'error').map((p) => p.rule)).toEqual(
      expect.arrayContaining(['unknown_la_code', 'la_combinations']),
    );
  });

  it.each([
    ['sex', 'Boys', 'boys'],
    ['gender', 'Female', 'girls'],
    ['characteristic_disadvantage', 'Disadvantaged', 'disadvantaged'],
    ['characteristic_disadvantage', 'Disadvantaged all other', 'not_disadvantaged'],
    ['first_language', 'First language known or believed to be other than English', 'eal'],
    ['prior_attainment', 'Low prior attainment', 'prior_low'],
    ['school_type', 'State-funded primary', null],
  ])('filter %s = %s is breakdown %s', (column, item, expected) => {
    expect(breakdownForFilterItem(column, item)).toBe(expected);
  });

  it('reads back every pupil group label that SchoolBench’s own EES export writes', () => {
    const { dataCsv } = toEesCsv(
      BREAKDOWNS.map((breakdown) => ({
        urn: '100001',
        measure: 'ks2_rwm_expected_pct',
        period: { timePeriod: '201819', timeIdentifier: 'Academic year' as const },
        breakdown,
        sourceColumn: 'x',
        value: 50,
        suppression: null,
      })),
    );
    const lines = dataCsv.trim().split('\n');
    const column = lines[0].split(',').indexOf('pupil_group');
    const labels = lines.slice(1).map((line) => line.split(',')[column]);
    expect(labels.map((label) => breakdownForFilterItem('pupil_group', label))).toEqual(
      labels.map((_, i) => (BREAKDOWNS[i] === 'all' ? null : BREAKDOWNS[i])),
    );
  });

  it('streams a large EES file without reading ahead of the consumer', async () => {
    const dir = ['ees', 'large', 'absence_by_term'];
    const path = sharedDataFile(...dir, 'absence_by_term.csv');
    const size = statSync(path).size;
    let pulled = 0;
    async function* counted() {
      for await (const chunk of createReadStream(path, { highWaterMark: 16 * 1024 })) {
        pulled += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const heapBefore = process.memoryUsage().heapUsed;
    let pulledAtFirstBatch = -1;
    let rows = 0;
    let summaries = 0;
    let peakHeap = heapBefore;
    for await (const batch of importFileBatches({
      file: { name: 'absence_by_term.csv', bytes: counted() },
      meta: {
        name: 'absence_by_term.meta.csv',
        bytes: createReadStream(sharedDataFile(...dir, 'absence_by_term.meta.csv')),
      },
    })) {
      if (pulledAtFirstBatch < 0) pulledAtFirstBatch = pulled;
      for (const r of batch) {
        if (r.kind === 'summary-observation') summaries += 1;
        if (r.kind === 'end') rows = r.report.rows;
      }
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    expect(rows).toBe(9680);
    expect(summaries).toBeGreaterThan(20_000);
    expect(pulled).toBe(size);
    // The first batch arrives after reading a small part of the 2.2 MB file: rows flow through,
    // they are not collected first.
    expect(pulledAtFirstBatch).toBeLessThan(size / 4);
    // Records are dropped as they are consumed; the heap does not grow with the file.
    expect(peakHeap - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});

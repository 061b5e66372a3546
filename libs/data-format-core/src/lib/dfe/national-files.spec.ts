import { join, relative } from 'node:path';

import type { Observation } from '../model/observation';
import {
  expectImportedCleanly,
  filesUnder,
  importDfe,
  type FileResult,
} from '../testing/dfe-corpus';
import { sharedDataFolder } from '../testing/shared-data-folder';

const results = new Map<string, FileResult>();
const dfeFolder = join(sharedDataFolder(), 'dfe');
const files = filesUnder(join(dfeFolder, 'national'));

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

describe('every file in dfe/national', () => {
  it('has been found', () => {
    expect(results.size).toBe(13);
  });

  it.each([...files].map((p) => relative(dfeFolder, p)))('%s imports with no errors', (file) => {
    expectImportedCleanly(file, result(file));
  });

  it('reads Academic Year as the year the academic year ends', () => {
    // national/2015-2016_england_ks2_extract.csv: every row has Academic Year = 2016.
    expect(result('national/2015-2016_england_ks2_extract.csv').report.periods).toEqual([
      { timePeriod: '201516', timeIdentifier: 'Academic year' },
    ]);
  });
});

describe('values read by hand from the raw files', () => {
  it('absence 2018/19: Sir John Cass (URN 100000)', () => {
    // national/2018-2019_england_abs.csv line 2: col 4 PERCTOT = "2.6", col 5 PPERSABS10 = "3.4"
    expect(
      value('national/2018-2019_england_abs.csv', '100000', 'overall_absence_pct')?.value,
    ).toBe(2.6);
    expect(
      value('national/2018-2019_england_abs.csv', '100000', 'persistent_absence_pct')?.value,
    ).toBe(3.4);
  });

  it('national KS2 extract 2017/18 through the built-in mapping profile (URN 138305)', () => {
    const file = 'national/2017-2018_england_ks2_extract.csv';
    // line 2: col 23 Overall Meet Std = "88%", col 2 KS2 Pupils = "26", col 5 Reading Progress = "3.1"
    expect(value(file, '138305', 'ks2_rwm_expected_pct')).toMatchObject({
      value: 88,
      denominator: 26,
      period: { timePeriod: '201718', timeIdentifier: 'Academic year' },
    });
    expect(value(file, '138305', 'ks2_reading_progress')?.value).toBe(3.1);
  });

  it('school details saved as Windows-1252 (URN 126416)', () => {
    const file = 'national/2018_school_details_cp1252.csv';
    // line 14179, col 2 Name: byte 0xE0 is "à" in Windows-1252
    expect(result(file).schools.get('126416')).toMatchObject({
      name: 'St Thomas à Becket Church of England Aided Primary School',
      laCode: '865',
      phase: 'primary',
    });
    expect(result(file).report.encoding).toBe('windows-1252');
    expect(result(file).warnings.map((w) => w.rule)).toContain('decoded_as_windows_1252');
  });
});

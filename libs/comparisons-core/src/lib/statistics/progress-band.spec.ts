import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

import { sharedDataFile } from '../testing/shared-data-folder';
import {
  isSmallCohort,
  progressBand,
  significanceAgainst,
  wellThresholds,
  type ProgressBand,
} from './progress-band';

jest.setTimeout(60_000);

// DfE's codes in READPROG_DESCR / P8_BANDING: 1 = well above … 5 = well below.
const DFE_CODES: Readonly<Record<string, ProgressBand>> = {
  '1': 'well_above',
  '2': 'above',
  '3': 'average',
  '4': 'below',
  '5': 'well_below',
};

function rows(folder: string, file: string): Record<string, string>[] {
  const bytes = readFileSync(sharedDataFile('dfe', folder, file));
  return parse<Record<string, string>>(new TextDecoder('windows-1252').decode(bytes), {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
}

const num = (cell: string | undefined): number | undefined =>
  cell !== undefined && cell.trim() !== '' && Number.isFinite(Number(cell))
    ? Number(cell)
    : undefined;

describe('progressBand', () => {
  const ks2 = wellThresholds('ks2_reading_progress', '201819');

  it('bands by hand: the interval decides significance, the threshold "well"', () => {
    expect(progressBand(0.8, -1.5, 3.2, ks2)).toBe('average');
    expect(progressBand(2.0, 0.0, 4.0, ks2)).toBe('average'); // a limit on 0 is not above 0
    expect(progressBand(2.0, 0.1, 3.9, ks2)).toBe('above');
    expect(progressBand(3.2, 0.4, 6.0, ks2)).toBe('well_above'); // the threshold itself counts
    expect(progressBand(-2.8, -5.0, -0.6, ks2)).toBe('below');
    expect(progressBand(-2.9, -5.1, -0.7, ks2)).toBe('well_below');
    expect(progressBand(0.49, 0.01, 0.97, wellThresholds('ks4_progress8', '201617'))).toBe('above');
  });

  it('gives no "well" band for a year whose thresholds are not pinned, only "average"', () => {
    const unpinned = wellThresholds('ks2_reading_progress', '201617');
    expect(unpinned).toBeUndefined();
    expect(progressBand(5, 1, 9, unpinned)).toBeUndefined();
    expect(progressBand(0.5, -1, 2, unpinned)).toBe('average');
  });

  it.each([
    ['2017-2018_850_ks2final.csv', '201718'],
    ['2018-2019_850_ks2final.csv', '201819'],
  ])('gives DfE’s own band for every Hampshire school in %s', (file, period) => {
    let compared = 0;
    for (const row of rows('la-850-hampshire', file)) {
      for (const [column, measure] of [
        ['READPROG', 'ks2_reading_progress'],
        ['WRITPROG', 'ks2_writing_progress'],
        ['MATPROG', 'ks2_maths_progress'],
      ] as const) {
        const expected = DFE_CODES[(row[`${column}_DESCR`] ?? '').trim()];
        const score = num(row[column]);
        const lower = num(row[`${column}_LOWER`]);
        const upper = num(row[`${column}_UPPER`]);
        if (!expected || score === undefined || lower === undefined || upper === undefined)
          continue;
        expect([
          row['URN'],
          column,
          progressBand(score, lower, upper, wellThresholds(measure, period)),
        ]).toEqual([row['URN'], column, expected]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(900);
  });

  it('gives DfE’s own Progress 8 band for every North Yorkshire school that has one', () => {
    let compared = 0;
    for (const file of ['815_2018_ks4final.csv', '815_2019_ks4provisional.csv']) {
      for (const row of rows('la-815-north-yorkshire', file)) {
        const expected = DFE_CODES[(row['P8_BANDING'] ?? '').trim()];
        const [score, lower, upper] = [num(row['P8MEA']), num(row['P8CILOW']), num(row['P8CIUPP'])];
        if (!expected || score === undefined || lower === undefined || upper === undefined)
          continue;
        expect(progressBand(score, lower, upper, wellThresholds('ks4_progress8', '201819'))).toBe(
          expected,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(80);
  });
});

describe('significanceAgainst and the small-cohort caution', () => {
  it('calls a difference from the group median significant only when the interval excludes it', () => {
    expect(significanceAgainst(1.2, 1.3, 4.0)).toBe('above');
    expect(significanceAgainst(1.2, -0.4, 1.2)).toBe('not_significant');
    expect(significanceAgainst(1.2, -3.0, 1.1)).toBe('below');
  });

  it('cautions below 11 pupils', () => {
    expect(isSmallCohort(10)).toBe(true);
    expect(isSmallCohort(11)).toBe(false);
    expect(isSmallCohort(null)).toBe(false);
  });
});

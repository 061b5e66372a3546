import { datasetSeries } from './dataset-series';

const period = (timePeriod: string) => ({ timePeriod, timeIdentifier: 'Academic year' as const });

describe('datasetSeries', () => {
  it('names an EES data set by its file, so files covering the same years stay apart', () => {
    const absence = datasetSeries({
      adapter: 'ees-open-data',
      file: 'absence_school_2019.csv',
      periods: [period('201819')],
    });
    const exclusions = datasetSeries({
      adapter: 'ees-open-data',
      file: 'exclusions_school_2019.csv',
      periods: [period('201819')],
    });
    expect(absence).toBe('ees-open-data:absence_school_2019');
    expect(exclusions).not.toBe(absence);
    // A corrected upload of the same file (another year added, other case) is the same series.
    expect(
      datasetSeries({
        adapter: 'ees-open-data',
        file: 'Absence_School_2019.CSV',
        periods: [period('201718'), period('201819')],
      }),
    ).toBe(absence);
  });

  it('names a DfE file by its layout and year', () => {
    expect(
      datasetSeries({
        adapter: 'dfe-ks2-final',
        file: '2018-2019_850_ks2final.csv',
        periods: [period('201819')],
      }),
    ).toBe('dfe-ks2-final:201819');
  });
});

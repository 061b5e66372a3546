import type { Period, TimeIdentifier } from './observation';

/** `2018` → `201718`: the EES six-digit form of the year that ends in `endYear`. */
export function periodEndingIn(endYear: number, timeIdentifier: TimeIdentifier): Period {
  const start = String(endYear - 1);
  const end = String(endYear).slice(2);
  return { timePeriod: `${start}${end}`, timeIdentifier };
}

export function academicYearEndingIn(endYear: number): Period {
  return periodEndingIn(endYear, 'Academic year');
}

/** Six digits for consecutive years (`201718`), the only form SchoolBench stores. */
export function isSixDigitPeriod(timePeriod: string): boolean {
  if (!/^\d{6}$/.test(timePeriod)) return false;
  const first = Number(timePeriod.slice(2, 4));
  const second = Number(timePeriod.slice(4, 6));
  return (first + 1) % 100 === second;
}

/**
 * The year a DfE file name is about, as the end year of the academic or financial year.
 * `2017-2018_850_ks2final.csv` and `2018_2019_ks4_final_meta.csv` name both years;
 * `815_2018_census.csv` names the year the data was collected or published, which is the end
 * of the academic (or, for CFR, financial) year.
 */
export function endYearFromFileName(fileName: string): number | null {
  const base = fileName.replace(/^.*[\\/]/, '');
  const pair = /(20\d\d)[-_](20\d\d)/.exec(base);
  if (pair && Number(pair[2]) === Number(pair[1]) + 1) return Number(pair[2]);
  const single = /(?:^|[^0-9])(20\d\d)(?:[^0-9]|$)/.exec(base);
  return single ? Number(single[1]) : null;
}

export function describePeriod(period: Period): string {
  const tp = period.timePeriod;
  return tp.length === 6 ? `${period.timeIdentifier} ${tp.slice(0, 4)}/${tp.slice(4)}` : tp;
}

import type { ImportReport } from '@schoolbench/data-format-core';

/**
 * What a dataset is a version of. A corrected file of the same series becomes its next version
 * and the current one; different series never replace each other.
 *
 * - DfE performance-table files are one file per layout and year (`dfe-ks2-final:201819`): a
 *   re-published or corrected KS2 final for 2018/19 replaces the previous one (and a KS4 final
 *   replaces the provisional file of its year, as DfE means it to).
 * - An EES data set is identified by its file name, not its years: EES names a data set's file
 *   once (`ks4_school_level_2019.csv`) and keeps the name across corrections, while unrelated
 *   files of a publication often cover the same years (`ees-open-data:ks4_school_level_2019`).
 *   Case and the `.csv` suffix do not count.
 */
export function datasetSeries(summary: Pick<ImportReport, 'adapter' | 'file' | 'periods'>): string {
  const adapter = summary.adapter ?? 'unknown';
  if (adapter === 'ees-open-data') {
    const name = summary.file
      .replace(/^.*[\\/]/, '')
      .replace(/\.csv$/i, '')
      .trim()
      .toLowerCase();
    return `${adapter}:${name}`.slice(0, 300);
  }
  const periods = [...new Set(summary.periods.map((p) => p.timePeriod))].sort();
  return `${adapter}:${periods.join('+')}`.slice(0, 300);
}

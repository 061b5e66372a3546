import { createReadStream, existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Command } from 'commander';

import { importFileBatches, storedShare, type ImportReport } from '@schoolbench/data-format-core';

import { CommandError } from '../cli-context';

export interface CoverageRow {
  readonly file: string;
  readonly adapter: string;
  readonly stored: number;
  readonly schoolDetails: number;
  readonly earlierYear: number;
  readonly otherNotStored: number;
  readonly unknown: number;
  /** Stored share of the cells that are not school details or earlier-year copies. */
  readonly storedPct: number | null;
  readonly unknownColumns: readonly string[];
}

async function csvFilesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) throw new CommandError(`No such file or folder: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) out.push(...(await csvFilesUnder(child)));
    else if (name.toLowerCase().endsWith('.csv')) out.push(child);
  }
  return out;
}

async function reportOf(path: string): Promise<ImportReport> {
  let report: ImportReport | undefined;
  const file = { name: basename(path), bytes: createReadStream(path) };
  for await (const batch of importFileBatches({ file })) {
    for (const record of batch) if (record.kind === 'end') report = record.report;
  }
  if (!report) throw new Error(`${path}: the import ended without a report`);
  return report;
}

/**
 * Measure coverage of every file under the given paths: non-empty school-row cells stored, not
 * a measure (school details, earlier-year copies, other reasons) and of unknown columns. Reads
 * files the way an import does, writes nothing.
 */
export async function measureCoverage(paths: readonly string[]): Promise<CoverageRow[]> {
  const rows: CoverageRow[] = [];
  for (const path of paths) {
    for (const file of await csvFilesUnder(path)) {
      const report = await reportOf(file);
      const cells = report.cells ?? { stored: 0, notMeasure: {}, unknown: 0, unknownColumns: [] };
      const { notMeasure } = cells;
      const earlier = (notMeasure['earlier_year'] ?? 0) + (notMeasure['three_year_average'] ?? 0);
      const details = notMeasure['school_details'] ?? 0;
      const total = Object.values(notMeasure).reduce((a, b) => a + b, 0);
      const share = storedShare(cells).share;
      rows.push({
        file: relative(process.cwd(), file),
        adapter: report.adapter ?? '-',
        stored: cells.stored,
        schoolDetails: details,
        earlierYear: earlier,
        otherNotStored: total - details - earlier,
        unknown: cells.unknown,
        storedPct: share === null ? null : Math.round(share * 1000) / 10,
        unknownColumns: cells.unknownColumns,
      });
    }
  }
  return rows;
}

export function registerCoverageCommand(program: Command): void {
  program
    .command('coverage')
    .description(
      'measure coverage: per file, non-empty school-row cells stored / not a measure / unknown (writes nothing)',
    )
    .argument('<paths...>', 'files or folders (searched recursively)')
    .action(async (paths: string[]) => {
      const rows = await measureCoverage(paths);
      console.table(
        rows.map((r) => ({
          file: r.file,
          adapter: r.adapter,
          stored: r.stored,
          'school details': r.schoolDetails,
          'earlier years': r.earlierYear,
          'other not stored': r.otherNotStored,
          unknown: r.unknown,
          'stored %': r.storedPct ?? '-',
        })),
      );
      for (const r of rows.filter((x) => x.unknownColumns.length > 0)) {
        process.stdout.write(`${r.file}: unknown columns ${r.unknownColumns.join(', ')}\n`);
      }
      const unknown = rows.reduce((n, r) => n + r.unknown, 0);
      const low = rows.filter((r) => r.storedPct !== null && r.storedPct < 95);
      process.stdout.write(
        `${rows.length} files; unknown cells: ${unknown}; files below 95% stored: ${low.length === 0 ? 'none' : low.map((r) => r.file).join(', ')}\n`,
      );
    });
}

import type { ProblemLog } from '../problems/problem';

/**
 * One `unknown_column_ignored` warning per file listing every column nothing reads. DfE KS2 and
 * KS4 files have 300-500 columns; a warning per column would bury the report.
 */
export function reportIgnoredColumns(
  header: readonly string[],
  used: ReadonlySet<number>,
  problems: ProblemLog,
): string[] {
  const ignored = header.filter((h, i) => !used.has(i) && h.trim() !== '');
  if (ignored.length === 0) return ignored;
  const shown = ignored.slice(0, 40).join(', ');
  const more = ignored.length > 40 ? `, … (${ignored.length} in all)` : '';
  problems.add('unknown_column_ignored', {
    line: 1,
    column: ignored.length === 1 ? (ignored[0] ?? null) : null,
    value: `${shown}${more}`,
    message: `${ignored.length} column(s) are not in the measure catalogue or used to identify schools, so they were not imported.`,
  });
  return ignored;
}

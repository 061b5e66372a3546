import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

import type { ObservedValue } from '../statistics/observed-value';
import { sharedDataFile } from './shared-data-folder';

// DfE performance-table codes as SPEC §5 maps them to EES symbols (enough for these tests; the
// importer owns the full mapping).
const CODES: Readonly<Record<string, ObservedValue>> = { SUPP: 'c', LOWCOV: 'u', NE: 'x', NP: 'x' };

/** One column of a national KS2 extract by URN: numbers, EES codes, null for an empty cell. */
export function ks2Column(file: string, column: string): Map<number, ObservedValue> {
  const rows = parse<Record<string, string>>(readFileSync(sharedDataFile('dfe/national', file)), {
    bom: true,
    columns: true,
    skip_empty_lines: true,
  });
  return new Map(
    rows.map((row) => {
      const cell = (row[column] ?? '').trim().replace(/%$/, '');
      const value = cell === '' ? null : (CODES[cell] ?? Number(cell));
      return [Number(row['URN']), value];
    }),
  );
}
